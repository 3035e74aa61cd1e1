import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// A real Azure Blob Storage for tests (DESIGN §6): azurite's blob service in a child process on 127.0.0.1,
// in memory. A child process, not in-process, because azurite loads Application Insights (which patches
// Node's http module) and a database stack we do not want inside a Jest worker. Flags:
// --inMemoryPersistence: nothing on disk (it cannot be combined with --location; the child runs in a
//   temporary directory that `stop()` removes, in case anything is written anyway);
// --skipApiVersionCheck: the SDK may be newer than the emulator's list of service versions;
// --loose: ignore headers the emulator does not implement instead of failing;
// --disableTelemetry: azurite would otherwise try to send usage data to Microsoft.

/** The development account every azurite and the Azure storage emulator accept (documented by Microsoft). */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** Longest wait for azurite to listen. Default 20 s. */
  startTimeoutMs?: number;
}

export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly accountUrl: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly connectionString: string;
  createContainer(name: string): Promise<void>;
  putBlob(container: string, key: string, body: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

// Runs in the child, in the temporary directory: argv[1] is azurite's blob entry, which reads the rest of
// argv as its flags. When the parent goes away without `stop()` (stdin closes: a killed test run), it
// removes the directory and exits, leaving nothing behind.
const CHILD_SCRIPT = `
process.stdin.on('end', () => {
  require('node:fs').rmSync(process.cwd(), { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
process.stdin.unref();
require(process.argv[1]);
`;

const LISTENING_PATTERN = /successfully listens on http:\/\/127\.0\.0\.1:(\d+)/;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function emulatorEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
  // Accounts of the developer's own azurite setup would replace the well-known one.
  delete environment.AZURITE_ACCOUNTS;
  return environment;
}

/** Starts azurite's blob service (about 1 s: it loads a lot), with no containers. */
export async function startAzurite(options: AzuriteOptions = {}): Promise<Azurite> {
  const timeoutMs = options.startTimeoutMs ?? 20_000;
  const directory = await mkdtemp(join(tmpdir(), 'cartograph-azurite-'));
  const blobEntry = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const child = spawn(
    process.execPath,
    [
      '-e',
      CHILD_SCRIPT,
      blobEntry,
      '--blobHost',
      '127.0.0.1',
      // 0: the system picks a free port, which azurite prints; no race with another test for a port.
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '256',
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
      '--silent',
    ],
    {
      cwd: directory,
      stdio: ['pipe', 'pipe', 'pipe'],
      // NODE_OPTIONS of a Jest run (--experimental-vm-modules) has no business in the emulator.
      env: emulatorEnvironment(),
    },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  let port: number;
  try {
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`azurite did not listen within ${timeoutMs} ms\n${output.slice(-10).join('\n')}`)),
        timeoutMs,
      );
      createInterface({ input: child.stdout! }).on('line', (line) => {
        output.push(line);
        const match = LISTENING_PATTERN.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(
          new Error(`azurite exited (${code ?? signal}) before listening\n${output.slice(-10).join('\n')}`),
        );
      });
    });
  } catch (error) {
    await stopChild(child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }

  const accountUrl = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`;
  // Loaded here, not at the top: every test that imports the testing helpers would pay for the SDK.
  const { BlobServiceClient, StorageSharedKeyCredential } = await import('@azure/storage-blob');
  const service = new BlobServiceClient(
    accountUrl,
    new StorageSharedKeyCredential(AZURITE_ACCOUNT_NAME, AZURITE_ACCOUNT_KEY),
    { retryOptions: { maxTries: 1 } },
  );
  let stopped = false;
  return {
    accountUrl,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};` +
      `AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${accountUrl};`,
    async createContainer(name) {
      await service.getContainerClient(name).create();
    },
    async putBlob(container, key, body) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      await service.getContainerClient(container).getBlockBlobClient(key).upload(bytes, bytes.length);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
