import { DbtCloudError } from './dbt-cloud.error.js';

// The only file that knows dbt Cloud's field names (DESIGN §1): Admin API v2/v3 envelopes and objects, the
// query parameters of its lists, and the Discovery API's GraphQL shapes (research/dbt.md §9, §11). Pure.
//
// Ids are decimal strings: dbt Cloud ids reach ~7e13, the service stores them as text and its events carry
// strings; one representation end to end avoids comparing `42` with `"42"`.
// Timestamps are `Date`s: runs are space-separated (`2024-05-27 10:42:16.179903+00:00`), jobs `T`-separated,
// Discovery ISO; all are read by one parser. Enumerations dbt Cloud may extend are kept as open strings.

export type CloudRunStatus = 'queued' | 'starting' | 'running' | 'success' | 'error' | 'cancelled';

export const CLOUD_RUN_STATUS_CODES: Readonly<Record<CloudRunStatus, number>> = Object.freeze({
  queued: 1,
  starting: 2,
  running: 3,
  success: 10,
  error: 20,
  cancelled: 30,
});

/** Statuses after which a run never changes again. */
export const TERMINAL_RUN_STATUSES: ReadonlySet<CloudRunStatus> = new Set(['success', 'error', 'cancelled']);

export interface CloudAccount {
  id: string;
  name: string;
  /** developer (free), team, enterprise, …; null when not reported. */
  plan: string | null;
}

export interface CloudProject {
  id: string;
  accountId: string | null;
  name: string;
  description: string | null;
  /** `connection.type`: postgres, redshift, snowflake, bigquery or `adapter`. */
  connectionType: string | null;
  /** The dbt adapter: `connection.type`, or for `adapter` connections the adapter of `adapter_version`. */
  adapterType: string | null;
  /** The job whose docs are the project's Docs page. */
  docsJobId: string | null;
  freshnessJobId: string | null;
  dbtProjectSubdirectory: string | null;
  /** A hybrid project: dbt Core artifacts uploaded to dbt Cloud (`type` 1). */
  hybrid: boolean;
  /** 1 active, 2 deleted. */
  state: number | null;
}

export interface CloudEnvironment {
  id: string;
  projectId: string;
  name: string;
  /** `deployment` or `development`. */
  type: string | null;
  /** `production`, `staging` or null (general deployment environments, development environments). */
  deploymentType: string | null;
  dbtVersion: string | null;
  state: number | null;
}

export interface CloudJob {
  id: string;
  projectId: string;
  environmentId: string;
  name: string;
  description: string | null;
  executeSteps: string[];
  /** "Generate docs on run": a final `dbt docs generate` step. */
  generateDocs: boolean;
  /** "Run source freshness": `dbt source freshness` runs first. */
  runGenerateSources: boolean;
  /** Cron of the schedule; null when the job has no schedule trigger. */
  cron: string | null;
  /** ci, scheduled, other, merge, …; null when not reported. */
  jobType: string | null;
  /** 1 active, 2 deleted. */
  state: number | null;
  dbtVersion: string | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface CloudRunStep {
  id: string | null;
  /** 1-based position, the `?step=` of the artifact endpoints. */
  index: number;
  /** `Clone Git Repository`, `Invoke dbt with \`dbt build\``, … */
  name: string;
  /** `dbt build` for `Invoke dbt with \`dbt build\``; null for steps that are not a dbt command. */
  dbtCommand: string | null;
  status: CloudRunStatus | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationSeconds: number | null;
}

export interface CloudRun {
  id: string;
  accountId: string | null;
  projectId: string;
  environmentId: string;
  jobId: string;
  status: CloudRunStatus;
  /** The integer dbt Cloud sent (1, 2, 3, 10, 20, 30). */
  statusCode: number | null;
  /** dbt Cloud's explanation (a timeout, a cancellation), if any. */
  statusMessage: string | null;
  dbtVersion: string | null;
  gitBranch: string | null;
  gitSha: string | null;
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Queued + running time. */
  durationSeconds: number | null;
  queuedDurationSeconds: number | null;
  runDurationSeconds: number | null;
  hasDocsGenerated: boolean;
  hasSourcesGenerated: boolean;
  artifactsSaved: boolean;
  /** The run's page in dbt Cloud (`href`). */
  url: string | null;
  triggerCause: string | null;
  /** api, ci, scheduled, ui, rerun, …; null without the trigger. */
  triggerCategory: string | null;
  /** Null when the response did not include the steps (lists; `run()` always includes them). */
  steps: CloudRunStep[] | null;
}

/** A model of an environment's applied state (Discovery API) with its latest execution. */
export interface CloudModelExecution {
  uniqueId: string;
  name: string | null;
  description: string | null;
  database: string | null;
  schema: string | null;
  alias: string | null;
  materializedType: string | null;
  /** success, error, skipped, … as the Discovery API reports it. */
  lastRunStatus: string | null;
  lastRunError: string | null;
  lastRunId: string | null;
  lastSuccessRunId: string | null;
  /** The job (`lastJobDefinitionId`) of the last run. */
  lastJobId: string | null;
  executeStartedAt: Date | null;
  executeCompletedAt: Date | null;
  /** Seconds. */
  runElapsedTime: number | null;
}

// ---- values -------------------------------------------------------------------------------------------

type Wire = Record<string, unknown>;

function asObject(value: unknown): Wire | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Wire) : undefined;
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function nonEmptyText(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function integer(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return null;
}

function bool(value: unknown): boolean {
  return value === true;
}

/** An id as a decimal string; numbers and numeric strings (old API shapes) alike. */
export function cloudId(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return value.trim().replace(/^0+(?=\d)/, '');
  if (typeof value === 'bigint' && value >= 0n) return value.toString();
  return null;
}

function requiredId(object: Wire, field: string, what: string): string {
  const id = cloudId(object[field]);
  if (id === null) throw unexpected(`${what} without a valid ${field}`);
  return id;
}

function unexpected(detail: string): DbtCloudError {
  return new DbtCloudError('UPSTREAM_UNAVAILABLE', `dbt Cloud sent an unexpected response: ${detail}`);
}

/**
 * A dbt Cloud timestamp as a Date: `2024-05-27 10:42:16.179903+00:00` (runs), `2024-05-27T10:42:16.179903+00:00`
 * (jobs), `2024-05-27T10:42:16.179Z` (Discovery). Without an offset the time is UTC. Null when absent or invalid.
 */
export function parseDbtCloudTimestamp(value: unknown): Date | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value !== 'string') return null;
  const match =
    /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:[.,](\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i.exec(
      value.trim(),
    );
  if (!match) return null;
  const [, date, time, fraction, zone] = match;
  // Date parsing is exact to the millisecond only; dbt Cloud sends microseconds.
  const milliseconds = fraction ? `.${fraction.slice(0, 3).padEnd(3, '0')}` : '';
  let offset = zone ?? 'Z';
  if (/^[+-]\d{2}$/.test(offset)) offset = `${offset}:00`;
  else if (/^[+-]\d{4}$/.test(offset)) offset = `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const parsed = new Date(
    `${date}T${time!.length === 5 ? `${time}:00` : time}${milliseconds}${offset.toUpperCase()}`,
  );
  return Number.isNaN(parsed.getTime()) ? null : parsed;
}

/**
 * A dbt Cloud duration in seconds: `"HH:MM:SS"` with hours past 24 (`"24:00:36"`), optionally fractional
 * seconds or a Python `"1 day, 0:00:36"` prefix; plain numbers are seconds (old API shapes).
 */
export function parseDbtCloudDuration(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  if (typeof value !== 'string') return null;
  const match = /^(?:(\d+)\s+days?,\s*)?(\d+):([0-5]?\d):([0-5]?\d(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return null;
  const [, days, hours, minutes, seconds] = match;
  return Number(days ?? 0) * 86_400 + Number(hours) * 3_600 + Number(minutes) * 60 + Number(seconds);
}

/** Integer status (or, for old shapes, its humanised name) → status. */
export function runStatusFromCode(code: unknown, humanized?: unknown): CloudRunStatus | null {
  const number = integer(code);
  for (const [status, statusCode] of Object.entries(CLOUD_RUN_STATUS_CODES)) {
    if (statusCode === number) return status as CloudRunStatus;
  }
  const name = (
    typeof humanized === 'string' ? humanized : typeof code === 'string' ? code : ''
  ).toLowerCase();
  if (name === 'succeeded') return 'success';
  if (name === 'failed') return 'error';
  if (name === 'canceled') return 'cancelled';
  return name in CLOUD_RUN_STATUS_CODES ? (name as CloudRunStatus) : null;
}

// ---- Admin API objects ---------------------------------------------------------------------------------

export function mapAccount(raw: unknown): CloudAccount {
  const wire = asObject(raw);
  if (!wire) throw unexpected('an account that is not an object');
  return { id: requiredId(wire, 'id', 'an account'), name: text(wire.name) ?? '', plan: text(wire.plan) };
}

export function mapProject(raw: unknown): CloudProject {
  const wire = asObject(raw);
  if (!wire) throw unexpected('a project that is not an object');
  const connection = asObject(wire.connection);
  const connectionType = text(connection?.type);
  const adapterVersion = text(connection?.adapter_version);
  return {
    id: requiredId(wire, 'id', 'a project'),
    accountId: cloudId(wire.account_id),
    name: text(wire.name) ?? '',
    description: nonEmptyText(wire.description),
    connectionType,
    adapterType:
      connectionType === 'adapter'
        ? adapterVersion
          ? adapterVersion.replace(/_v\d+$/, '')
          : null
        : connectionType,
    docsJobId: cloudId(wire.docs_job_id),
    freshnessJobId: cloudId(wire.freshness_job_id),
    dbtProjectSubdirectory: nonEmptyText(wire.dbt_project_subdirectory),
    hybrid: integer(wire.type) === 1,
    state: integer(wire.state),
  };
}

export function mapEnvironment(raw: unknown): CloudEnvironment {
  const wire = asObject(raw);
  if (!wire) throw unexpected('an environment that is not an object');
  return {
    id: requiredId(wire, 'id', 'an environment'),
    projectId: requiredId(wire, 'project_id', 'an environment'),
    name: text(wire.name) ?? '',
    type: text(wire.type),
    deploymentType: text(wire.deployment_type),
    dbtVersion: text(wire.dbt_version),
    state: integer(wire.state),
  };
}

export function mapJob(raw: unknown): CloudJob {
  const wire = asObject(raw);
  if (!wire) throw unexpected('a job that is not an object');
  const triggers = asObject(wire.triggers);
  const schedule = asObject(wire.schedule);
  // The schedule object keeps its cron when the schedule trigger is off; only an active trigger is a schedule.
  const scheduled = triggers ? triggers.schedule === true : typeof schedule?.cron === 'string';
  return {
    id: requiredId(wire, 'id', 'a job'),
    projectId: requiredId(wire, 'project_id', 'a job'),
    environmentId: requiredId(wire, 'environment_id', 'a job'),
    name: text(wire.name) ?? '',
    description: nonEmptyText(wire.description),
    executeSteps: Array.isArray(wire.execute_steps)
      ? wire.execute_steps.filter((step): step is string => typeof step === 'string')
      : [],
    generateDocs: bool(wire.generate_docs),
    runGenerateSources: bool(wire.run_generate_sources) || bool(wire.generate_sources),
    cron: scheduled ? text(schedule?.cron) : null,
    jobType: text(wire.job_type),
    state: integer(wire.state),
    dbtVersion: text(wire.dbt_version),
    createdAt: parseDbtCloudTimestamp(wire.created_at),
    updatedAt: parseDbtCloudTimestamp(wire.updated_at),
  };
}

export function mapRunStep(raw: unknown): CloudRunStep {
  const wire = asObject(raw);
  if (!wire) throw unexpected('a run step that is not an object');
  const index = integer(wire.index);
  if (index === null) throw unexpected('a run step without an index');
  const name = text(wire.name) ?? '';
  return {
    id: cloudId(wire.id),
    index,
    name,
    dbtCommand: /^Invoke dbt with `(.+)`$/.exec(name.trim())?.[1] ?? null,
    status: runStatusFromCode(wire.status, wire.status_humanized),
    startedAt: parseDbtCloudTimestamp(wire.started_at),
    finishedAt: parseDbtCloudTimestamp(wire.finished_at),
    durationSeconds: parseDbtCloudDuration(wire.duration),
  };
}

/** Maps a run; `withSteps` says whether the response was asked for `run_steps` (a list always has `[]`). */
export function mapRun(raw: unknown, options: { withSteps?: boolean } = {}): CloudRun {
  const wire = asObject(raw);
  if (!wire) throw unexpected('a run that is not an object');
  const trigger = asObject(wire.trigger);
  const statusCode = integer(wire.status);
  const status = runStatusFromCode(wire.status, wire.status_humanized) ?? fallbackStatus(wire);
  const jobId = cloudId(wire.job_definition_id) ?? cloudId(wire.job_id);
  if (jobId === null) throw unexpected('a run without a job_definition_id');
  const steps =
    options.withSteps && Array.isArray(wire.run_steps)
      ? wire.run_steps.map(mapRunStep).sort((left, right) => left.index - right.index)
      : null;
  return {
    id: requiredId(wire, 'id', 'a run'),
    accountId: cloudId(wire.account_id),
    projectId: requiredId(wire, 'project_id', 'a run'),
    environmentId: requiredId(wire, 'environment_id', 'a run'),
    jobId,
    status,
    statusCode,
    statusMessage: nonEmptyText(wire.status_message),
    dbtVersion: text(wire.dbt_version),
    gitBranch: text(wire.git_branch),
    gitSha: text(wire.git_sha),
    createdAt: parseDbtCloudTimestamp(wire.created_at),
    startedAt: parseDbtCloudTimestamp(wire.started_at),
    finishedAt: parseDbtCloudTimestamp(wire.finished_at),
    durationSeconds: parseDbtCloudDuration(wire.duration),
    queuedDurationSeconds: parseDbtCloudDuration(wire.queued_duration),
    runDurationSeconds: parseDbtCloudDuration(wire.run_duration),
    hasDocsGenerated: bool(wire.has_docs_generated),
    hasSourcesGenerated: bool(wire.has_sources_generated),
    artifactsSaved: bool(wire.artifacts_saved),
    url: nonEmptyText(wire.href),
    triggerCause: text(trigger?.cause),
    triggerCategory: text(trigger?.cause_category),
    steps,
  };
}

/** A status from the run's booleans, for an integer dbt Cloud adds later. */
function fallbackStatus(wire: Wire): CloudRunStatus {
  if (wire.is_success === true) return 'success';
  if (wire.is_cancelled === true) return 'cancelled';
  if (wire.is_error === true || wire.is_complete === true) return 'error';
  if (wire.is_running === true) return 'running';
  return 'queued';
}

// ---- Admin API envelopes and parameters ----------------------------------------------------------------

/** `data` of a `{status, data, extra}` envelope. */
export function readEnvelopeData(body: unknown): unknown {
  const envelope = asObject(body);
  if (!envelope || !('data' in envelope)) throw unexpected('a body without the {status, data} envelope');
  return envelope.data;
}

/** Items and total of a list envelope (`extra.pagination.total_count`). */
export function readListPage(body: unknown): { items: unknown[]; totalCount: number | undefined } {
  const data = readEnvelopeData(body);
  if (!Array.isArray(data)) throw unexpected('a list whose data is not an array');
  const pagination = asObject(asObject(asObject(body)?.extra)?.pagination);
  return { items: data, totalCount: integer(pagination?.total_count) ?? undefined };
}

/** The artifact paths of a run step; null when dbt Cloud says `data: null` (nothing saved). */
export function readArtifactPaths(body: unknown): string[] | null {
  const data = readEnvelopeData(body);
  if (data === null) return null;
  if (!Array.isArray(data)) throw unexpected('an artifact list whose data is not an array');
  return data.filter((path): path is string => typeof path === 'string');
}

/**
 * The human part of an error body: `status.user_message` (Admin API), `detail` (Django), `errors[0].message`
 * (GraphQL). Reads a possibly truncated excerpt too.
 */
export function readUpstreamMessage(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const parsed = asObject(JSON.parse(body));
    const message =
      nonEmptyText(asObject(parsed?.status)?.user_message) ??
      nonEmptyText(parsed?.detail) ??
      (Array.isArray(parsed?.errors) ? nonEmptyText(asObject(parsed.errors[0])?.message) : null);
    return message ?? undefined;
  } catch {
    const match = /"(?:user_message|detail|message)"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(body);
    return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
  }
}

export type CloudRunOrder = 'id' | '-id' | 'created_at' | '-created_at' | 'finished_at' | '-finished_at';

export interface CloudRunFilter {
  jobId?: string | number;
  projectId?: string | number;
  environmentId?: string | number;
  /** Only runs with a larger id: the cursor of an incremental sync. */
  idGreaterThan?: string | number;
  statuses?: readonly CloudRunStatus[];
  hasDocsGenerated?: boolean;
  /** Default `id` (ascending), which keeps offset paging stable while new runs are created. */
  orderBy?: CloudRunOrder;
}

export type CloudQuery = Record<string, string | number | boolean | undefined>;

export function runListQuery(filter: CloudRunFilter): CloudQuery {
  const codes = (filter.statuses ?? []).map((status) => CLOUD_RUN_STATUS_CODES[status]);
  return {
    job_definition_id: optionalId(filter.jobId),
    project_id: optionalId(filter.projectId),
    environment_id: optionalId(filter.environmentId),
    id__gt: optionalId(filter.idGreaterThan),
    // One status as `status`; several as JSON text, the `__in` style every dbt Cloud client uses.
    status: codes.length === 1 ? codes[0] : undefined,
    status__in: codes.length > 1 ? JSON.stringify(codes) : undefined,
    has_docs_generated: filter.hasDocsGenerated,
    order_by: filter.orderBy ?? 'id',
  };
}

export function jobListQuery(filter: {
  projectId?: string | number;
  environmentId?: string | number;
}): CloudQuery {
  return {
    project_id: optionalId(filter.projectId),
    environment_id: optionalId(filter.environmentId),
    order_by: 'id',
  };
}

export function pageQuery(offset: number, limit: number): CloudQuery {
  return { offset, limit };
}

/** `include_related` for a run with its steps and trigger. */
export const RUN_DETAIL_QUERY: CloudQuery = Object.freeze({ include_related: 'run_steps,trigger' });

/** The run step whose artifacts to read (1-based). */
export function stepQuery(step: number | undefined): CloudQuery {
  return { step };
}

function optionalId(value: string | number | undefined): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const id = cloudId(value);
  if (id === null) throw new DbtCloudError('BAD_USER_INPUT', `Not a dbt Cloud id: ${JSON.stringify(value)}`);
  return id;
}

// ---- Discovery API -------------------------------------------------------------------------------------

/** Largest page the Discovery API serves. */
export const DISCOVERY_PAGE_SIZE = 500;

export const ENVIRONMENT_MODELS_QUERY = `query CartographEnvironmentModels($environmentId: BigInt!, $first: Int!, $after: String) {
  environment(id: $environmentId) {
    applied {
      models(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges {
          node {
            uniqueId name description database schema alias materializedType
            executionInfo {
              lastRunStatus lastRunError lastRunId lastSuccessRunId lastJobDefinitionId
              executeStartedAt executeCompletedAt runElapsedTime
            }
          }
        }
      }
    }
  }
}`;

/** The cheapest query every Discovery token may run: used to tell whether the API answers. */
export const DISCOVERY_PING_QUERY = 'query CartographPing { __typename }';

export function environmentModelsVariables(
  environmentId: string | number,
  after: string | undefined,
): Record<string, unknown> {
  return { environmentId: optionalId(environmentId), first: DISCOVERY_PAGE_SIZE, after: after ?? null };
}

export interface DiscoveryModelsPage {
  /** False when `environment` is null: unknown, or not readable with this token. */
  environmentFound: boolean;
  nodes: unknown[];
  totalCount: number | undefined;
  hasNextPage: boolean;
  endCursor: string | undefined;
}

/** GraphQL `errors[].message`, empty when there is none. */
export function readGraphqlErrors(body: unknown): { message: string; code: string | undefined }[] {
  const errors = asObject(body)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.map((error) => {
    const object = asObject(error);
    return {
      message: text(object?.message) ?? 'unknown error',
      code: text(asObject(object?.extensions)?.code) ?? undefined,
    };
  });
}

export function readModelsPage(body: unknown): DiscoveryModelsPage {
  const environment = asObject(asObject(asObject(body)?.data)?.environment);
  if (!environment) {
    return {
      environmentFound: false,
      nodes: [],
      totalCount: undefined,
      hasNextPage: false,
      endCursor: undefined,
    };
  }
  const models = asObject(asObject(environment.applied)?.models);
  const edges = Array.isArray(models?.edges) ? models.edges : [];
  const pageInfo = asObject(models?.pageInfo);
  return {
    environmentFound: true,
    nodes: edges.map((edge) => asObject(edge)?.node).filter((node) => node !== undefined && node !== null),
    totalCount: integer(models?.totalCount) ?? undefined,
    hasNextPage: pageInfo?.hasNextPage === true,
    endCursor: text(pageInfo?.endCursor) ?? undefined,
  };
}

export function mapModelExecution(raw: unknown): CloudModelExecution {
  const node = asObject(raw);
  const uniqueId = text(node?.uniqueId);
  if (!node || !uniqueId) throw unexpected('a Discovery model without a uniqueId');
  const execution = asObject(node.executionInfo) ?? {};
  const elapsed = execution.runElapsedTime;
  return {
    uniqueId,
    name: text(node.name),
    description: nonEmptyText(node.description),
    database: text(node.database),
    schema: text(node.schema),
    alias: text(node.alias),
    materializedType: text(node.materializedType),
    lastRunStatus: text(execution.lastRunStatus),
    lastRunError: nonEmptyText(execution.lastRunError),
    lastRunId: cloudId(execution.lastRunId),
    lastSuccessRunId: cloudId(execution.lastSuccessRunId),
    lastJobId: cloudId(execution.lastJobDefinitionId),
    executeStartedAt: parseDbtCloudTimestamp(execution.executeStartedAt),
    executeCompletedAt: parseDbtCloudTimestamp(execution.executeCompletedAt),
    runElapsedTime: typeof elapsed === 'number' && Number.isFinite(elapsed) ? elapsed : null,
  };
}
