import { createHash } from 'node:crypto';
import { createReadStream, openAsBlob } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArtifactKind } from '@cartograph/dbt';
import {
  ARTIFACT_FILE_NAMES,
  ArtifactPathError,
  readArtifactHeader,
  resolveArtifactPaths,
} from './dbt-artifact.files.js';
import { gatewayUrl } from './gateway-client.js';

export interface PushOptions {
  /** Gateway URL (default: CARTOGRAPH_URL, else the local gateway). */
  url?: string;
  /** Editor API key (default: CARTOGRAPH_API_KEY); there is no fallback to the local admin key. */
  apiKey?: string;
  project?: string;
  instance?: string;
  /** false (`--no-wait`): stop once the upload is accepted. */
  wait?: boolean;
  /** Seconds to wait for the set to be applied (default 600). */
  timeout?: number;
  /** Between status checks (default 1 s); tests shorten it. */
  pollIntervalMs?: number;
}

/**
 * Exit statuses of `cartograph push`. A dbt job fails on anything but 0; 1 and 2 tell "the artifacts are
 * wrong" (fix the project) from "the push could not be done" (fix the key, URL or network and run it again).
 */
export const PUSH_EXIT = {
  /** Applied, or identical to a set received before. */
  applied: 0,
  /** The gateway refused the upload (4xx about its content) or the set failed to apply. */
  failed: 1,
  /** Usage, API key (missing, wrong, not an editor), unreachable gateway, server error, timeout. */
  notPushed: 2,
} as const;

export class PushError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    /** Worth trying again while following a set: the gateway was away or answered 5xx. */
    readonly transient = false,
  ) {
    super(message);
    this.name = 'PushError';
  }
}

export interface PushOutput {
  out(line: string): void;
  err(line: string): void;
}

interface ArtifactSetView {
  id: string;
  state: string;
  error: { code: string; message: string; fileName?: string | null; path?: string | null } | null;
  warnings?: string[];
  counts?: Record<string, number>;
  rowWrites?: number;
  durationMs?: number | null;
  createdAt?: string;
}

interface PushFile {
  path: string;
  kind: ArtifactKind;
}

const terminalStates = new Set(['succeeded', 'failed']);

const standardOutput: PushOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * `cartograph push`: uploads a dbt `target/` (or the files given) to the dbt-artifacts service through the
 * gateway, then follows the artifact set until it is applied. Returns the exit status (`PUSH_EXIT`).
 */
export async function push(
  paths: readonly string[],
  options: PushOptions,
  output: PushOutput = standardOutput,
): Promise<number> {
  const apiKey = options.apiKey || process.env.CARTOGRAPH_API_KEY || '';
  // Belt and braces: no message printed here carries the key, but an answer from a proxy might echo it.
  const redact = (text: string) => (apiKey ? text.split(apiKey).join('[api key]') : text);
  const say: PushOutput = {
    out: (line) => output.out(redact(line)),
    err: (line) => output.err(redact(line)),
  };
  try {
    return await pushArtifacts(paths, { ...options, apiKey }, say);
  } catch (error) {
    say.err(`cartograph push: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof PushError ? error.exitCode : PUSH_EXIT.notPushed;
  }
}

async function pushArtifacts(
  paths: readonly string[],
  options: PushOptions & { apiKey: string },
  say: PushOutput,
): Promise<number> {
  if (!options.apiKey) {
    throw new PushError(
      'no API key: pass --api-key or set CARTOGRAPH_API_KEY to an editor key (create one with "cartograph keys create --name dbt-ci --role editor")',
      PUSH_EXIT.notPushed,
    );
  }
  const url = gatewayUrl(options.url);
  if (!/^https?:\/\/[^/]/.test(url) || !URL.canParse(url)) {
    throw new PushError(`the gateway URL "${url}" is not an http(s) URL`, PUSH_EXIT.notPushed);
  }
  const files = await filesToPush(paths.length > 0 ? paths : ['target']);
  const headers = { authorization: `Bearer ${options.apiKey}` };

  // Ask first, by content hash: a scheduled job whose artifacts did not change sends nothing.
  const received = await alreadyReceived(url, headers, files, options);
  if (received) {
    say.out(
      `artifact set ${received.id}: unchanged (these artifacts were received before${received.createdAt ? `, at ${received.createdAt}` : ''}; nothing sent)`,
    );
    if (terminalStates.has(received.state)) return finished(received, say);
    if (options.wait === false) return PUSH_EXIT.applied;
    return follow(
      received,
      url,
      `${url}/api/dbt-artifacts/v1/artifact-sets/${received.id}`,
      headers,
      options,
      say,
    );
  }

  const form = new FormData();
  const sizes: string[] = [];
  for (const file of files) {
    const blob = await openAsBlob(file.path).catch((error: Error) => {
      throw new PushError(`cannot read ${file.path}: ${error.message}`, PUSH_EXIT.notPushed);
    });
    // A file-backed Blob: fetch reads it from disk as the request body is sent.
    form.append(file.kind, blob, basename(file.path));
    sizes.push(`${basename(file.path)} ${formatBytes(blob.size)}`);
  }
  if (options.project) form.append('project', options.project);
  if (options.instance) form.append('instance', options.instance);

  say.out(`pushing ${sizes.join(', ')} to ${url}`);
  const uploaded = await call(url, `${url}/api/dbt-artifacts/v1/uploads`, {
    method: 'POST',
    headers,
    body: form,
  });
  if (!uploaded.response.ok || !uploaded.body?.artifactSet) {
    throw refusal(url, uploaded, 'upload');
  }
  const accepted = uploaded.body.artifactSet as ArtifactSetView;
  const statusUrl = `${url}/api/dbt-artifacts/v1/artifact-sets/${accepted.id}`;
  say.out(
    uploaded.body.unchanged
      ? `artifact set ${accepted.id}: unchanged (these artifacts were received before${accepted.createdAt ? `, at ${accepted.createdAt}` : ''}; nothing new to apply)${terminalStates.has(accepted.state) ? '' : `, still ${accepted.state}`}`
      : `artifact set ${accepted.id}: ${accepted.state}`,
  );
  if (terminalStates.has(accepted.state)) return finished(accepted, say);
  if (options.wait === false) {
    say.out(`not waiting; follow it at ${statusUrl}`);
    return PUSH_EXIT.applied;
  }
  return follow(accepted, url, statusUrl, headers, options, say);
}

/** sha256 of a file's JSON text, as the service hashes it: gzip files are hashed decompressed. */
async function contentSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  const magic = Buffer.alloc(2);
  await handle.read(magic, 0, 2, 0);
  await handle.close();
  const source = createReadStream(path);
  const text = magic[0] === 0x1f && magic[1] === 0x8b ? source.pipe(createGunzip()) : source;
  for await (const chunk of text as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

/** The set the service already has with exactly these files, or null (also when the service cannot say). */
async function alreadyReceived(
  url: string,
  headers: Record<string, string>,
  files: PushFile[],
  options: PushOptions,
): Promise<ArtifactSetView | null> {
  const hashed = await Promise.all(
    files.map(async (file) => ({ kind: file.kind, sha256: await contentSha256(file.path) })),
  );
  const answer = await call(url, `${url}/api/dbt-artifacts/v1/uploads/check`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify({
      files: hashed,
      project: options.project ?? null,
      instance: options.instance ?? null,
    }),
  });
  if (answer.response.status === 401 || answer.response.status === 403) throw refusal(url, answer, 'upload');
  // Anything else unexpected (an older service without the check): just upload.
  return answer.response.ok && answer.body?.unchanged === true
    ? (answer.body.artifactSet as ArtifactSetView)
    : null;
}

/** Paths to artifacts with their kinds: a directory gives its artifacts, a file with an odd name its content. */
async function filesToPush(paths: readonly string[]): Promise<PushFile[]> {
  const resolved = await resolveArtifactPaths(paths).catch((error: unknown) => {
    if (!(error instanceof ArtifactPathError)) throw error;
    throw new PushError(
      `${error.message}; run dbt first (dbt build, dbt docs generate, dbt source freshness) or name the directory or files`,
      PUSH_EXIT.notPushed,
    );
  });
  const files: PushFile[] = [];
  for (const file of resolved) {
    const kind = file.kind ?? (await readArtifactHeader(file.path))?.kind ?? null;
    if (!kind) {
      throw new PushError(
        `${file.path} is not a dbt artifact: push ${ARTIFACT_FILE_NAMES}`,
        PUSH_EXIT.notPushed,
      );
    }
    const earlier = files.find((candidate) => candidate.kind === kind);
    if (earlier) {
      // The service takes one file per kind; say so before sending anything.
      throw new PushError(
        `one push takes one ${kind}, got ${earlier.path} and ${file.path}`,
        PUSH_EXIT.notPushed,
      );
    }
    files.push({ path: file.path, kind });
  }
  return files;
}

/** Polls the set until it is applied or failed, printing each new state; the deadline ends with exit 2. */
async function follow(
  accepted: ArtifactSetView,
  gateway: string,
  statusUrl: string,
  headers: Record<string, string>,
  options: PushOptions,
  say: PushOutput,
): Promise<number> {
  const timeoutSeconds = options.timeout ?? 600;
  const interval = options.pollIntervalMs ?? 1000;
  const deadline = Date.now() + timeoutSeconds * 1000;
  let state = accepted.state;
  let lastProblem = '';
  for (;;) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      throw new PushError(
        `artifact set ${accepted.id} is still ${state} after ${timeoutSeconds} s; it goes on on the server (follow it at ${statusUrl}); wait longer with --timeout`,
        PUSH_EXIT.notPushed,
      );
    }
    await sleep(Math.min(interval, remaining));
    let set: ArtifactSetView;
    try {
      const answer = await call(gateway, statusUrl, {
        headers,
        signal: AbortSignal.timeout(Math.min(10_000, Math.max(1_000, deadline - Date.now()))),
      });
      if (!answer.response.ok || !answer.body?.artifactSet) throw refusal(gateway, answer, 'status');
      set = answer.body.artifactSet as ArtifactSetView;
    } catch (error) {
      // A gateway restarting or a subgraph briefly away is worth waiting out; a refused key is not.
      if (!(error instanceof PushError) || !error.transient) throw error;
      const problem = error.message;
      if (problem !== lastProblem) say.err(`status of artifact set ${accepted.id}: ${problem}; trying again`);
      lastProblem = problem;
      continue;
    }
    lastProblem = '';
    if (set.state !== state) {
      state = set.state;
      if (!terminalStates.has(state)) say.out(`artifact set ${set.id}: ${state}`);
    }
    if (terminalStates.has(set.state)) return finished(set, say);
  }
}

/** The final line: counts and warnings when applied, the error (code, message, file, path) when failed. */
function finished(set: ArtifactSetView, say: PushOutput): number {
  const warnings = set.warnings ?? [];
  const warningText = `${warnings.length} warning${warnings.length === 1 ? '' : 's'}`;
  if (set.state === 'succeeded') {
    // The service's counts come in jsonb key order, zeros included; sorted and without zeros they read.
    const counts = Object.entries(set.counts ?? {})
      .filter(([, count]) => count !== 0)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, count]) => `${name} ${count}`)
      .join(', ');
    const duration = typeof set.durationMs === 'number' ? ` in ${(set.durationMs / 1000).toFixed(1)} s` : '';
    say.out(
      `artifact set ${set.id}: succeeded${duration}: ${counts || 'nothing counted'}; ${set.rowWrites ?? 0} row writes; ${warningText}`,
    );
    for (const warning of warnings) say.out(`  warning: ${warning}`);
    return PUSH_EXIT.applied;
  }
  const error = set.error;
  const where = [error?.fileName && `file ${error.fileName}`, error?.path && `at ${error.path}`]
    .filter(Boolean)
    .join(', ');
  say.err(
    `artifact set ${set.id}: failed: ${error ? `${error.code}: ${error.message}` : 'no error recorded'}${where ? ` (${where})` : ''}`,
  );
  for (const warning of warnings) say.err(`  warning: ${warning}`);
  return PUSH_EXIT.failed;
}

interface Answer {
  response: Response;
  body: any;
  text: string;
}

/** fetch, with connection failures turned into a message that names the gateway URL. */
async function call(gateway: string, url: string, init: RequestInit): Promise<Answer> {
  let response: Response;
  try {
    // redirect 'error': with the default 'follow', Node's fetch tees the request body to be able to send it
    // again, and the branch nobody reads keeps every chunk: a 500 MB manifest would sit in memory.
    response = await fetch(url, { ...init, redirect: 'error' });
  } catch (error) {
    throw unreachable(gateway, error as Error);
  }
  const text = await response.text().catch(() => '');
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page): reported by its text.
  }
  return { response, body, text };
}

function unreachable(gateway: string, error: Error): PushError {
  const cause = (error as { cause?: Error }).cause;
  const reason = cause?.message || error.message;
  if (reason === 'unexpected redirect') {
    return new PushError(
      `the gateway at ${gateway} answered with a redirect; pass the URL it redirects to with --url`,
      PUSH_EXIT.notPushed,
    );
  }
  if (error.name === 'TimeoutError' || cause?.name === 'TimeoutError') {
    return new PushError(`the gateway at ${gateway} did not answer in time`, PUSH_EXIT.notPushed, true);
  }
  if (cause?.name === 'NotReadableError') {
    return new PushError(
      `an artifact changed or disappeared while it was sent (${reason}); push again once dbt has finished`,
      PUSH_EXIT.notPushed,
    );
  }
  return new PushError(
    `cannot reach the gateway at ${gateway} (${reason}); is it running? Set --url or CARTOGRAPH_URL`,
    PUSH_EXIT.notPushed,
    true,
  );
}

/** An answer that is not an artifact set, as a message; 1 when the artifacts were refused, else 2. */
function refusal(gateway: string, answer: Answer, what: 'upload' | 'status'): PushError {
  const { status } = answer.response;
  // The service answers { error: { code, message } }; the gateway's own 401 is GraphQL-shaped.
  const error = answer.body?.error ?? answer.body?.errors?.[0];
  const detail = error?.message
    ? `${error.code ?? error.extensions?.code ?? `HTTP ${status}`}: ${error.message}`
    : `HTTP ${status}${answer.text ? `: ${answer.text.slice(0, 300)}` : ''}`;
  if (status === 401) {
    return new PushError(`the gateway at ${gateway} refused the API key (${detail})`, PUSH_EXIT.notPushed);
  }
  if (status === 403) {
    return new PushError(
      `the API key may not push dbt artifacts (${detail}); use an editor key`,
      PUSH_EXIT.notPushed,
    );
  }
  if (status === 404) {
    return new PushError(
      what === 'upload'
        ? `${gateway} has no dbt-artifacts service (${detail}); is --url a Cartograph gateway?`
        : `the artifact set is gone (${detail})`,
      PUSH_EXIT.notPushed,
    );
  }
  if (status >= 400 && status < 500 && what === 'upload') {
    return new PushError(`the gateway refused the upload: ${detail}`, PUSH_EXIT.failed);
  }
  return new PushError(`the gateway at ${gateway} answered ${detail}`, PUSH_EXIT.notPushed, status >= 500);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
