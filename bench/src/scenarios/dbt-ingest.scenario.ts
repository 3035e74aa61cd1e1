import { openAsBlob } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCartograph } from '@cartograph/platform/testing';
import {
  DBT_ADAPTERS,
  DBT_PROJECT_GENERATOR_VERSION,
  describeDbtProject,
  generateDbtProject,
  type DbtAdapter,
  type GeneratedDbtProject,
} from '../lib/dbt-project.generator.js';
import { describeCpu } from '../lib/process-cpu.js';
import { sampleMemoryPeak, type MemoryPeak } from '../lib/process-memory.js';
import { Cleanup, prepareStackDatabase, StackCpu, startBenchStack } from '../lib/stack.js';
import { formatNumber, renderTable } from '../lib/table.js';
import { atLeast, atMost, info, type Metrics, type Scenario, type ScenarioContext } from '../scenario.js';

/*
 * The dbt-artifacts upload API the scenario drives:
 *   POST /api/dbt-artifacts/v1/uploads  multipart: manifest, catalog, run_results, sources (files), project (text)
 *     → 202 { artifactSet: { id, state: 'queued', … } }
 *     → for files already ingested: 200 { artifactSet: <that set>, unchanged: true } (or, equivalently, a set in
 *       state 'unchanged'); both shapes are accepted.
 *   GET  /api/dbt-artifacts/v1/artifact-sets/<id>
 *     → { artifactSet: { id, state, error, counts: { <table>: rows }, rowWrites, startedAt, finishedAt, durationMs } }
 */
const SERVICE = 'dbt-artifacts';
const WORKER_PROCESS = `${SERVICE}-worker`;
const TERMINAL = new Set(['succeeded', 'failed', 'unchanged']);
const POLL_MS = 100;
/** The service's default UPLOAD_MAX_BYTES; a 50,000-model set is larger and gets a higher limit. */
const DEFAULT_UPLOAD_LIMIT = 1_073_741_824;

/** The targets are set for 10,000 models; other sizes report the same measurements without judging them. */
const TARGET_MODELS = 10_000;

const CREATE_API_KEY = `mutation($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { key apiKey { id role } }
}`;

interface ArtifactSetView {
  id: string;
  state: string;
  error?: unknown;
  counts?: Record<string, unknown> | null;
  rowWrites?: number | null;
  startedAt?: string | null;
  finishedAt?: string | null;
  durationMs?: number | null;
}

interface UploadAnswer {
  set: ArtifactSetView;
  /** The service recognised the files and ingests nothing. */
  unchanged: boolean;
  /** From sending the first byte to the 202 answer, seconds. */
  seconds: number;
  /** performance.now() when the upload started. */
  startedAt: number;
}

interface Finished {
  set: ArtifactSetView;
  /** performance.now() when the terminal state was first seen. */
  at: number;
  /** performance.now() when `processing` was first seen (null when never seen between two polls). */
  processingAt: number | null;
}

/** Where generated artifacts are kept between runs (`--artifacts`), with what made them. */
interface Stamp {
  generator: string;
  models: number;
  seed: number;
  adapter: DbtAdapter;
  failingTests: number;
  project: GeneratedDbtProject;
  generateSeconds: number;
}

function sizeLabel(models: number): string {
  return models % 1000 === 0 ? `${models / 1000}k` : String(models);
}

function totalBytes(project: GeneratedDbtProject): number {
  return Object.values(project.bytes).reduce((sum, bytes) => sum + bytes, 0);
}

/** Rows written by the ingest: the sum of every number in `counts` (per table, possibly nested). */
function sumCounts(value: unknown): number {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : 0;
  }
  if (value && typeof value === 'object') {
    return Object.values(value).reduce<number>((sum, item) => sum + sumCounts(item), 0);
  }
  return 0;
}

function processingSeconds(set: ArtifactSetView): number {
  if (typeof set.durationMs === 'number') {
    return set.durationMs / 1000;
  }
  if (set.startedAt && set.finishedAt) {
    return (Date.parse(set.finishedAt) - Date.parse(set.startedAt)) / 1000;
  }
  return Number.NaN;
}

/** Generates the project, or reuses the one in `directory` when it was generated with the same settings. */
async function artifacts(
  context: ScenarioContext,
  directory: string,
  settings: Omit<Stamp, 'project' | 'generateSeconds' | 'generator'>,
): Promise<{ project: GeneratedDbtProject; generateSeconds: number; reused: boolean }> {
  const stampPath = join(directory, 'bench-stamp.json');
  try {
    const stamp = JSON.parse(await readFile(stampPath, 'utf8')) as Stamp;
    if (
      stamp.generator === DBT_PROJECT_GENERATOR_VERSION &&
      stamp.models === settings.models &&
      stamp.seed === settings.seed &&
      stamp.adapter === settings.adapter &&
      stamp.failingTests === settings.failingTests
    ) {
      context.log(
        `reusing the artifacts in ${directory} (generated in ${stamp.generateSeconds.toFixed(1)} s)`,
      );
      return { project: stamp.project, generateSeconds: stamp.generateSeconds, reused: true };
    }
  } catch {
    // no stamp: generate
  }
  await mkdir(directory, { recursive: true });
  context.log(`generating a dbt project of ${formatNumber(settings.models)} models into ${directory}`);
  const started = performance.now();
  const project = await generateDbtProject({
    models: settings.models,
    seed: settings.seed,
    adapter: settings.adapter,
    failingTests: settings.failingTests,
    outputDirectory: directory,
  });
  const generateSeconds = (performance.now() - started) / 1000;
  const stamp: Stamp = { generator: DBT_PROJECT_GENERATOR_VERSION, ...settings, project, generateSeconds };
  await writeFile(stampPath, `${JSON.stringify(stamp, null, 2)}\n`);
  return { project, generateSeconds, reused: false };
}

/** An editor key: uploads need no more, and the benchmark should not run on the admin key. */
async function editorKey(stack: Awaited<ReturnType<typeof startBenchStack>>): Promise<string> {
  const created = await stack.graphql<{ createApiKey: { key: string } }>(CREATE_API_KEY, {
    input: { name: 'bench dbt-ingest uploader', role: 'EDITOR' },
  });
  const key = created.body.data?.createApiKey.key;
  if (!key) {
    throw new Error(`createApiKey failed: ${JSON.stringify(created.body.errors ?? created.body)}`);
  }
  return key;
}

/** Streams the four files from disk as multipart/form-data (file-backed Blobs, never read into memory). */
async function upload(
  gatewayUrl: string,
  apiKey: string,
  project: GeneratedDbtProject,
): Promise<UploadAnswer> {
  const form = new FormData();
  const fields: [string, string][] = [
    ['manifest', project.files.manifest],
    ['catalog', project.files.catalog],
    ['run_results', project.files.runResults],
    ['sources', project.files.sources],
  ];
  for (const [field, path] of fields) {
    form.append(field, await openAsBlob(path, { type: 'application/json' }), basename(path));
  }
  form.append('project', project.projectName);
  const startedAt = performance.now();
  const response = await fetch(`${gatewayUrl}/api/${SERVICE}/v1/uploads`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}` },
    body: form,
  });
  const text = await response.text();
  const seconds = (performance.now() - startedAt) / 1000;
  if (response.status === 404 && text.includes(`No service "${SERVICE}"`)) {
    throw new Error(
      `the gateway does not route /api/${SERVICE}: ${SERVICE} is not in services/gateway/supergraph.graphql ` +
        '(build it and run `cartograph compose`)',
    );
  }
  if (response.status !== 202 && response.status !== 200) {
    throw new Error(`upload answered ${response.status}: ${text.slice(0, 2_000)}`);
  }
  const body = JSON.parse(text) as { artifactSet?: ArtifactSetView; unchanged?: boolean };
  const set = body.artifactSet;
  if (!set?.id || !set.state) {
    throw new Error(
      `upload answered ${response.status} without artifactSet.id/state: ${text.slice(0, 2_000)}`,
    );
  }
  return { set, unchanged: body.unchanged === true || set.state === 'unchanged', seconds, startedAt };
}

async function artifactSet(gatewayUrl: string, apiKey: string, id: string): Promise<ArtifactSetView> {
  const response = await fetch(`${gatewayUrl}/api/${SERVICE}/v1/artifact-sets/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`GET artifact-sets/${id} answered ${response.status}: ${text.slice(0, 1_000)}`);
  }
  return (JSON.parse(text) as { artifactSet: ArtifactSetView }).artifactSet;
}

/**
 * Waits until the catalog's registry holds `expected` datasets (the ingest's dataset.upserted events have been
 * consumed), so the re-upload is timed on a machine that is no longer busy with the first ingest's fan-out.
 */
async function waitForCatalog(
  gatewayUrl: string,
  apiKey: string,
  expected: number,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const response = await fetch(`${gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ datasets(first: 0) { totalCount } }' }),
    });
    const body = (await response.json()) as { data?: { datasets?: { totalCount: number } } };
    if ((body.data?.datasets?.totalCount ?? 0) >= expected) return (performance.now() - started) / 1000;
    if (performance.now() - started > timeoutMs) return Number.NaN;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Polls every 100 ms until the set is succeeded, failed or unchanged; logs progress every 5 s. */
async function waitForTerminal(
  context: ScenarioContext,
  gatewayUrl: string,
  apiKey: string,
  first: ArtifactSetView,
  timeoutSeconds: number,
  started: number,
): Promise<Finished> {
  let set = first;
  let processingAt: number | null = set.state === 'processing' ? performance.now() : null;
  const deadline = performance.now() + timeoutSeconds * 1000;
  let lastLog = performance.now();
  while (!TERMINAL.has(set.state)) {
    if (performance.now() > deadline) {
      throw new Error(`artifact set ${set.id} still ${set.state} after ${timeoutSeconds} s`);
    }
    await sleep(POLL_MS);
    set = await artifactSet(gatewayUrl, apiKey, set.id);
    if (set.state === 'processing' && processingAt === null) {
      processingAt = performance.now();
    }
    if (performance.now() - lastLog >= 5_000) {
      lastLog = performance.now();
      // counts and rowWrites are filled in when the set finishes, so progress is the state and the time.
      context.log(
        `artifact set ${set.id}: ${set.state}, ${((performance.now() - started) / 1000).toFixed(0)} s since the upload`,
      );
    }
  }
  return { set, at: performance.now(), processingAt };
}

export const dbtIngestScenario: Scenario = {
  name: 'dbt-ingest',
  description: 'dbt artifacts of 10,000 models: ingest ≤ 20 s, worker ≤ 1 GB RSS; re-upload a no-op',
  options: [
    {
      name: 'models',
      description:
        'models in the generated project; 50000 is the "completes without running out of memory" run',
      default: TARGET_MODELS,
    },
    { name: 'seed', description: 'generator seed (same seed, same bytes)', default: 1 },
    {
      name: 'adapter',
      description: `warehouse of the project (${DBT_ADAPTERS.join(', ')})`,
      default: 'snowflake',
    },
    { name: 'failing-tests', description: 'tests that fail in run_results.json', default: 10 },
    {
      name: 'artifacts',
      description:
        'directory for the generated files, kept and reused by later runs (default: a temporary one)',
    },
    { name: 'timeout', description: 'seconds to wait for an artifact set to finish', default: 900 },
    {
      name: 'cpu-profile',
      description: 'directory for V8 CPU profiles of the stack processes (off by default)',
    },
    {
      name: 'database',
      description: 'database name (dropped and recreated each run)',
      default: 'cartograph_bench_dbt_ingest',
    },
  ],

  async run(context) {
    const { options } = context;
    const models = options.number('models', TARGET_MODELS, { min: 1, max: 200_000 });
    const seed = options.number('seed', 1);
    const adapter = options.string('adapter', 'snowflake') as DbtAdapter;
    if (!DBT_ADAPTERS.includes(adapter)) {
      throw new Error(`--adapter must be one of ${DBT_ADAPTERS.join(', ')}`);
    }
    const failingTests = options.number('failing-tests', 10, { min: 0 });
    const timeout = options.number('timeout', 900, { min: 1 });
    const database = options.string('database', 'cartograph_bench_dbt_ingest');
    const cpuProfileDirectory = options.string('cpu-profile', '') || undefined;
    const keptDirectory = options.string('artifacts', '');
    const judged = models === TARGET_MODELS;
    const label = sizeLabel(models);
    Object.assign(context.parameters, { models, seed, adapter, failingTests, timeout, database });

    const cleanup = new Cleanup(context);
    try {
      let directory: string;
      if (keptDirectory) {
        directory = resolve(keptDirectory);
      } else {
        directory = await mkdtemp(join(tmpdir(), 'cartograph-bench-dbt-'));
        cleanup.add('generated artifacts', () => rm(directory, { recursive: true, force: true }));
      }
      const generated = await artifacts(context, directory, { models, seed, adapter, failingTests });
      const { project } = generated;
      const bytes = totalBytes(project);
      context.log(
        `${generated.reused ? 'artifacts' : `generated in ${generated.generateSeconds.toFixed(1)} s`}:\n${describeDbtProject(project)}`,
      );
      Object.assign(context.parameters, {
        manifestMb: Math.round(project.bytes.manifest / 1024 / 1024),
        uploadMb: Math.round(bytes / 1024 / 1024),
        tests: project.counts.tests,
        columns: project.counts.columns,
      });

      const url = await prepareStackDatabase(context, cleanup, database, { recreate: true });
      const environment: NodeJS.ProcessEnv = {};
      if (bytes > DEFAULT_UPLOAD_LIMIT * 0.95) {
        environment.UPLOAD_MAX_BYTES = String(Math.ceil((bytes * 1.1) / 1024 / 1024) * 1024 * 1024);
        context.log(
          `the upload is ${formatNumber(bytes / 1024 / 1024)} MB: UPLOAD_MAX_BYTES=${environment.UPLOAD_MAX_BYTES}`,
        );
      }
      const stack = await startBenchStack(context, cleanup, {
        databaseUrl: url,
        project: 'bench-dbt-ingest',
        cpuProfileDirectory,
        services: [SERVICE],
        environment,
      });
      const workerPid = stack.process(WORKER_PROCESS).pid;
      const apiPid = stack.process(SERVICE).pid;
      if (!workerPid || !apiPid) {
        throw new Error(`${SERVICE} processes have no pid`);
      }
      const apiKey = await editorKey(stack);
      const cpu = new StackCpu(stack, url);

      // First upload: the measured ingest.
      context.log(`uploading ${formatNumber(bytes / 1024 / 1024)} MB through the gateway`);
      const stopWorkerMemory = sampleMemoryPeak(workerPid);
      const stopApiMemory = sampleMemoryPeak(apiPid);
      const stopCpu = await cpu.start();
      let memory: MemoryPeak;
      let apiMemory: MemoryPeak;
      let first: UploadAnswer;
      let finished: Finished;
      try {
        first = await upload(stack.gatewayUrl, apiKey, project);
        context.log(
          `upload answered in ${first.seconds.toFixed(1)} s: artifact set ${first.set.id} ${first.set.state}`,
        );
        if (first.unchanged) {
          throw new Error('the first upload was "unchanged" although the database was recreated');
        }
        finished = await waitForTerminal(
          context,
          stack.gatewayUrl,
          apiKey,
          first.set,
          timeout,
          first.startedAt,
        );
      } finally {
        memory = stopWorkerMemory();
        apiMemory = stopApiMemory();
      }
      const cpuDuring = describeCpu((await stopCpu()).percent);
      context.parameters.cpu = cpuDuring;
      const endToEnd = (finished.at - first.startedAt) / 1000;
      const workerPeakMb = Math.max(memory.peakRssBytes, memory.hwmBytes) / 1024 / 1024;
      const apiPeakMb = Math.max(apiMemory.peakRssBytes, apiMemory.hwmBytes) / 1024 / 1024;
      const succeeded = finished.set.state === 'succeeded';
      // rowWrites is the service's own count of rows written; `counts` tallies what was read per kind (a test
      // is both a `test` and one of the `tests`), so its sum is only the fallback.
      const rows =
        typeof finished.set.rowWrites === 'number' ? finished.set.rowWrites : sumCounts(finished.set.counts);
      const processing = processingSeconds(finished.set);
      context.log(
        `artifact set ${finished.set.id} ${finished.set.state} ${endToEnd.toFixed(1)} s after the upload started ` +
          `(processing ${formatNumber(processing)} s); worker peak RSS ${formatNumber(workerPeakMb)} MB ` +
          `(${memory.samples} samples), API peak RSS ${formatNumber(apiPeakMb)} MB; CPU (% of one core): ${cpuDuring}`,
      );
      if (finished.set.counts && typeof finished.set.counts === 'object') {
        context.log(
          `${formatNumber(rows)} row writes; counts reported by the ingest:\n${renderTable(
            ['count', 'value'],
            Object.entries(finished.set.counts).map(([table, count]) => [
              table,
              formatNumber(sumCounts(count)),
            ]),
          )}`,
        );
      }

      const metrics: Metrics = {
        generate_seconds: info(generated.generateSeconds, 's'),
        upload_mb: info(bytes / 1024 / 1024, 'MB'),
        upload_seconds: info(first.seconds, 's'),
        // From the 202 answer to the first poll that saw `processing` (0 when the worker started before the answer).
        queue_seconds: info(
          finished.processingAt === null
            ? Number.NaN
            : Math.max(0, (finished.processingAt - first.startedAt) / 1000 - first.seconds),
          's',
        ),
        processing_seconds: info(processing, 's'),
        [`ingest_${label}_seconds`]: judged ? atMost(endToEnd, 's', 20) : info(endToEnd, 's'),
        ingest_succeeded: atLeast(succeeded ? 1 : 0, 'bool', 1),
        rows_written: info(rows, 'rows'),
        rows_per_s: info(rows / processing, 'rows/s'),
        worker_peak_rss_mb: judged ? atMost(workerPeakMb, 'MB', 1024) : info(workerPeakMb, 'MB'),
        api_peak_rss_mb: info(apiPeakMb, 'MB'),
      };
      if (!succeeded) {
        context.log(
          `ingest ${finished.set.state}: ${JSON.stringify(finished.set.error ?? null)}; no re-upload`,
        );
        return {
          ...metrics,
          reupload_seconds: judged ? atMost(Number.NaN, 's', 2) : info(Number.NaN, 's'),
          reupload_row_writes: atMost(Number.NaN, 'rows', 0),
          reupload_unchanged: atLeast(0, 'bool', 1),
        };
      }

      const announced = sumCounts(
        (finished.set.counts as Record<string, unknown> | undefined)?.['datasetsAnnounced'],
      );
      const catchUp = await waitForCatalog(stack.gatewayUrl, apiKey, announced, timeout * 1_000);
      context.log(
        `catalog registry holds the ${formatNumber(announced)} announced datasets after ${formatNumber(catchUp)} s more`,
      );
      metrics['catalog_catchup_seconds'] = info(catchUp, 's');

      // Re-push of the identical files the way a dbt job does it, `cartograph push`: the files are hashed and the
      // service asked by hash, so nothing is sent.
      const pushStarted = performance.now();
      const pushed = await runCartograph(
        [
          'push',
          dirname(project.files.manifest),
          '--project',
          project.projectName,
          '--url',
          stack.gatewayUrl,
        ],
        { ...process.env, CARTOGRAPH_API_KEY: apiKey },
      );
      const pushSeconds = (performance.now() - pushStarted) / 1000;
      const pushUnchanged = pushed.code === 0 && /unchanged/.test(pushed.stdout);
      context.log(
        `cartograph push of the same files: exit ${pushed.code} in ${pushSeconds.toFixed(2)} s: ${pushed.stdout.trim().split('\n').at(-1) ?? ''}`,
      );

      // Re-upload of the identical files, every byte sent again: should be recognised without writing a row.
      const again = await upload(stack.gatewayUrl, apiKey, project);
      const done =
        again.unchanged || TERMINAL.has(again.set.state)
          ? { set: again.set, at: performance.now(), processingAt: null }
          : await waitForTerminal(context, stack.gatewayUrl, apiKey, again.set, timeout, again.startedAt);
      const reuploadSeconds = (done.at - again.startedAt) / 1000;
      const unchanged = again.unchanged || done.set.state === 'unchanged';
      // Row writes of the re-upload: of its own set, or, when the service answers with the first set, whatever
      // that set's counter gained since the ingest finished (read again after the answer).
      const status = await artifactSet(stack.gatewayUrl, apiKey, done.set.id);
      const now = typeof status.rowWrites === 'number' ? status.rowWrites : Number.NaN;
      const sameSet = done.set.id === finished.set.id;
      const before = typeof finished.set.rowWrites === 'number' ? finished.set.rowWrites : Number.NaN;
      const rowWrites = sameSet ? now - before : now;
      context.log(
        `re-upload: ${unchanged ? 'unchanged' : done.set.state}${sameSet ? ` (answered with set ${done.set.id})` : ''} ` +
          `in ${reuploadSeconds.toFixed(2)} s (upload ${again.seconds.toFixed(2)} s), ${formatNumber(rowWrites)} row writes`,
      );
      return {
        ...metrics,
        reupload_seconds: judged ? atMost(pushSeconds, 's', 2) : info(pushSeconds, 's'),
        reupload_unchanged: atLeast(pushUnchanged && unchanged ? 1 : 0, 'bool', 1),
        resend_all_bytes_seconds: info(reuploadSeconds, 's'),
        reupload_row_writes: atMost(rowWrites, 'rows', 0),
      };
    } finally {
      await cleanup.run();
    }
  },
};
