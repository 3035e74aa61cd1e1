import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import {
  createServer,
  request as httpRequest,
  Agent,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { verifyAwsSignatureV4 } from './aws-signature.js';

// A real S3 server for tests (DESIGN §6): s3rver on 127.0.0.1, with its files in a temporary directory that
// `stop()` removes. Two things about s3rver 3.7.1 shape this helper:
// - it encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (Node 17+) only offers through
//   its legacy provider: in-process, every truncated listing answers 500. So s3rver runs in a child Node
//   started with `--openssl-legacy-provider`;
// - it does not check SigV4 signatures (only that the access key id exists), so a front server on the
//   endpoint port checks them (see aws-signature.ts) and answers SignatureDoesNotMatch as S3 does.

export const S3_EMULATOR_ACCESS_KEY_ID = 'S3RVER';
export const S3_EMULATOR_SECRET_ACCESS_KEY = 'S3RVER';

export interface S3EmulatorOptions {
  /** Check SigV4 signatures in front of s3rver. Default true. */
  verifySignatures?: boolean;
  /** Longest wait for s3rver to listen. Default 15 s. */
  startTimeoutMs?: number;
}

export interface S3EmulatorRequest {
  method: string;
  /** Path and query string as received. */
  url: string;
  /** Region of the SigV4 credential scope (`auto` for GCS-style clients), null when not SigV4-signed. */
  signedRegion: string | null;
  /** Whether the front answered SignatureDoesNotMatch instead of passing the request to s3rver. */
  refused: boolean;
}

export interface S3Emulator {
  /** `http://127.0.0.1:<port>`: use path-style requests and any region. */
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Every request the endpoint received, in order, for assertions (pages fetched, path style, region). */
  readonly requests: readonly S3EmulatorRequest[];
  createBucket(name: string): Promise<void>;
  putObject(bucket: string, key: string, body: string | Buffer): Promise<void>;
  stop(): Promise<void>;
}

// Runs in the child: argv[1] is s3rver's entry, argv[2] the directory. When the parent goes away without
// `stop()` (stdin closes: a killed test run), it removes the directory and exits, leaving nothing behind.
const CHILD_SCRIPT = `
const S3rver = require(process.argv[1]);
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[2] });
server.run().then(
  (address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'),
  (error) => { process.stderr.write(String(error && error.stack || error) + '\\n'); process.exit(1); },
);
process.stdin.on('end', () => {
  require('node:fs').rmSync(process.argv[2], { recursive: true, force: true });
  process.exit(0);
});
process.stdin.resume();
process.stdin.unref();
`;

const SCOPE_REGION_PATTERN = /Credential=[^/]+\/\d{8}\/([^/]+)\//;

const SIGNATURE_MISMATCH_BODY =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SignatureDoesNotMatch</Code>' +
  '<Message>The request signature we calculated does not match the signature you provided. ' +
  'Check your key and signing method.</Message></Error>';

async function startS3rverProcess(
  directory: string,
  timeoutMs: number,
): Promise<{ child: ChildProcess; port: number; output: string[] }> {
  const s3rverEntry = createRequire(import.meta.url).resolve('s3rver');
  const child = spawn(
    process.execPath,
    ['--openssl-legacy-provider', '--no-warnings', '-e', CHILD_SCRIPT, s3rverEntry, directory],
    // NODE_OPTIONS of a Jest run (--experimental-vm-modules) has no business in the emulator.
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
  );
  const output: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`s3rver did not listen within ${timeoutMs} ms\n${output.slice(-10).join('\n')}`));
    }, timeoutMs);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const message = JSON.parse(line) as { port?: number };
        if (typeof message.port === 'number') {
          clearTimeout(timer);
          resolve(message.port);
        }
      } catch {
        output.push(line);
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(`s3rver exited (${code ?? signal}) before listening\n${output.slice(-10).join('\n')}`),
      );
    });
  }).catch(async (error: unknown) => {
    await stopChild(child);
    throw error;
  });
  return { child, port, output };
}

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

/**
 * The public port: checks the signature, then hands the request to s3rver unchanged and streams its
 * answer back.
 */
function startFront(
  targetPort: number,
  secrets: ReadonlyMap<string, string>,
  requests: S3EmulatorRequest[],
  verifySignatures: boolean,
): Promise<{ server: Server; port: number; agent: Agent }> {
  const agent = new Agent({ keepAlive: true });
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const recorded: S3EmulatorRequest = {
      method: incoming.method ?? 'GET',
      url: incoming.url ?? '/',
      signedRegion: SCOPE_REGION_PATTERN.exec(String(incoming.headers.authorization ?? ''))?.[1] ?? null,
      refused: false,
    };
    requests.push(recorded);
    if (verifySignatures) {
      const verdict = verifyAwsSignatureV4(
        { method: recorded.method, url: recorded.url, headers: incoming.headers },
        (accessKeyId) => secrets.get(accessKeyId),
      );
      if (verdict === 'mismatch' || verdict === 'malformed') {
        recorded.refused = true;
        incoming.resume();
        outgoing.writeHead(403, { 'content-type': 'application/xml' });
        outgoing.end(incoming.method === 'HEAD' ? undefined : SIGNATURE_MISMATCH_BODY);
        return;
      }
    }
    const forwarded = httpRequest(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.destroy());
    outgoing.on('close', () => {
      if (!outgoing.writableFinished) forwarded.destroy();
    });
    incoming.pipe(forwarded);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as AddressInfo).port, agent });
    });
  });
}

/** Starts s3rver (about 0.4 s) with the S3RVER/S3RVER key pair, no buckets, an empty directory. */
export async function startS3Emulator(options: S3EmulatorOptions = {}): Promise<S3Emulator> {
  const directory = await mkdtemp(join(tmpdir(), 'cartograph-s3-'));
  let s3rver: Awaited<ReturnType<typeof startS3rverProcess>>;
  try {
    s3rver = await startS3rverProcess(directory, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const requests: S3EmulatorRequest[] = [];
  let front: Awaited<ReturnType<typeof startFront>>;
  try {
    front = await startFront(
      s3rver.port,
      new Map([[S3_EMULATOR_ACCESS_KEY_ID, S3_EMULATOR_SECRET_ACCESS_KEY]]),
      requests,
      options.verifySignatures ?? true,
    );
  } catch (error) {
    await stopChild(s3rver.child);
    await rm(directory, { recursive: true, force: true });
    throw error;
  }
  const endpoint = `http://127.0.0.1:${front.port}`;
  // Loaded here, not at the top: every test that imports the testing helpers would pay for the SDK.
  const { CreateBucketCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_EMULATOR_ACCESS_KEY_ID, secretAccessKey: S3_EMULATOR_SECRET_ACCESS_KEY },
    // s3rver cannot read aws-chunked uploads with trailing checksums, the SDK's default since 2025.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
  let stopped = false;
  return {
    endpoint,
    accessKeyId: S3_EMULATOR_ACCESS_KEY_ID,
    secretAccessKey: S3_EMULATOR_SECRET_ACCESS_KEY,
    region: 'us-east-1',
    requests,
    async createBucket(name) {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    async putObject(bucket, key, body) {
      const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
      await client.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }),
      );
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      client.destroy();
      front.agent.destroy();
      front.server.closeAllConnections();
      await new Promise<void>((resolve) => front.server.close(() => resolve()));
      await stopChild(s3rver.child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}
