import { freshnessCriteriaOf } from './manifest.normalizer.js';
import type {
  CatalogColumn,
  CatalogStats,
  CatalogTable,
  DbtFreshnessResult,
  DbtRunResult,
  DbtRunSummary,
} from './results.types.js';
import {
  extraFields,
  isObject,
  numberOrNull,
  objectOf,
  objectOrNull,
  statusOf,
  stringOr,
  stringOrNull,
  type JsonObject,
} from './value.readers.js';

/** Normalisers for catalog.json tables, run_results.json results and sources.json results. */

const catalogFields = new Set(['unique_id', 'metadata', 'columns', 'stats']);

/**
 * `BASE TABLE` (Postgres, Redshift, Snowflake, DuckDB) → `table`; BigQuery's lower-case `table`, `view`,
 * `materialized view`, `external` stay; anything else becomes lower snake case.
 */
export function normalizeTableType(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const text = value
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  if (text === 'base_table') return 'table';
  if (text === 'external_table') return 'external';
  return text;
}

/** Snowflake writes `last_modified` as `yyyy-mm-dd HH24:MIUTC`. */
const snowflakeTime = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})(?::(\d{2}))?\s*UTC$/;

function lastModifiedOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const match = snowflakeTime.exec(value.trim());
  return match ? `${match[1]}T${match[2]}:${match[3] ?? '00'}Z` : value;
}

/** Stats by id; each adapter names the same facts differently. */
function statsOf(value: unknown): CatalogStats {
  const raw: JsonObject = {};
  for (const [key, item] of Object.entries(objectOf(value))) {
    raw[isObject(item) ? stringOr(item.id, key) : key] = isObject(item) ? item.value : item;
  }
  // Redshift `size` counts 1 MB blocks.
  const redshiftMegabytes = numberOrNull(raw.size);
  return {
    rowCount: numberOrNull(raw.num_rows) ?? numberOrNull(raw.row_count) ?? numberOrNull(raw.rows),
    bytes:
      numberOrNull(raw.num_bytes) ??
      numberOrNull(raw.bytes) ??
      (redshiftMegabytes === null ? null : redshiftMegabytes * 1024 * 1024),
    lastModified: lastModifiedOf(raw.last_modified),
    raw,
  };
}

function catalogColumnsOf(value: unknown): CatalogColumn[] {
  const columns: CatalogColumn[] = [];
  for (const [key, column] of Object.entries(objectOf(value))) {
    if (!isObject(column)) continue;
    columns.push({
      name: stringOr(column.name, key),
      type: stringOrNull(column.type),
      index: numberOrNull(column.index),
      comment: stringOrNull(column.comment),
    });
  }
  return columns.sort((left, right) => (left.index ?? Infinity) - (right.index ?? Infinity));
}

export function normalizeCatalogTable(
  raw: JsonObject,
  key: string | null,
  resourceKind: 'node' | 'source',
): CatalogTable {
  const metadata = objectOf(raw.metadata);
  return {
    uniqueId: stringOrNull(raw.unique_id) ?? key ?? '',
    resourceKind,
    tableType: normalizeTableType(metadata.type),
    database: stringOrNull(metadata.database),
    schema: stringOrNull(metadata.schema),
    name: stringOr(metadata.name, ''),
    comment: stringOrNull(metadata.comment),
    owner: stringOrNull(metadata.owner),
    columns: catalogColumnsOf(raw.columns),
    stats: statsOf(raw.stats),
    extra: extraFields(raw, catalogFields),
  };
}

const runResultFields = new Set([
  'unique_id',
  'status',
  'timing',
  'thread_id',
  'execution_time',
  'message',
  'failures',
  'adapter_response',
  'relation_name',
  'compiled_code',
  'compiled_sql',
  'batch_results',
]);

interface Timing {
  readonly startedAt: string | null;
  readonly completedAt: string | null;
}

function timingOf(value: unknown, step: string): Timing | null {
  if (!Array.isArray(value)) return null;
  const entry = value.find((item) => isObject(item) && item.name === step) as JsonObject | undefined;
  if (!entry) return null;
  return { startedAt: stringOrNull(entry.started_at), completedAt: stringOrNull(entry.completed_at) };
}

export function normalizeRunResult(raw: JsonObject, index: number): DbtRunResult {
  const uniqueId = stringOr(raw.unique_id, `results[${index}]`);
  const execute = timingOf(raw.timing, 'execute');
  const compile = timingOf(raw.timing, 'compile');
  const adapterResponse = objectOf(raw.adapter_response);
  const message = raw.message;
  return {
    uniqueId,
    resourceType: uniqueId.split('.')[0] ?? 'unknown',
    status: statusOf(raw.status),
    startedAt: execute?.startedAt ?? compile?.startedAt ?? null,
    completedAt: execute?.completedAt ?? compile?.completedAt ?? null,
    compileStartedAt: compile?.startedAt ?? null,
    compileCompletedAt: compile?.completedAt ?? null,
    executionTime: numberOrNull(raw.execution_time),
    threadId: stringOrNull(raw.thread_id),
    // A few adapters returned a number or an object as the message in old versions.
    message: typeof message === 'string' ? message : message == null ? null : JSON.stringify(message),
    failures: numberOrNull(raw.failures),
    rowsAffected: numberOrNull(adapterResponse.rows_affected),
    adapterResponse,
    relationName: stringOrNull(raw.relation_name),
    compiledCode: stringOrNull(raw.compiled_code) ?? stringOrNull(raw.compiled_sql),
    batchResults: objectOrNull(raw.batch_results),
    extra: extraFields(raw, runResultFields),
  };
}

export function runSummaryOf(elapsedTime: unknown, args: unknown): DbtRunSummary {
  const argumentsObject = objectOf(args);
  return {
    which: stringOrNull(argumentsObject.which) ?? stringOrNull(argumentsObject.rpc_method),
    elapsedTime: numberOrNull(elapsedTime),
    invocationCommand: stringOrNull(argumentsObject.invocation_command),
    args: argumentsObject,
  };
}

const freshnessFields = new Set([
  'unique_id',
  'status',
  'max_loaded_at',
  'snapshotted_at',
  'max_loaded_at_time_ago_in_s',
  'criteria',
  'error',
  'execution_time',
  'thread_id',
  'adapter_response',
]);

/** dbt writes `0001-01-01T00:00:00+00:00` as max_loaded_at of an empty table: no load time at all. */
function loadTimeOf(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  const year = /^\s*(\d{1,6})-/.exec(value);
  if (year && Number(year[1]) <= 1) return null;
  return value;
}

export function normalizeFreshnessResult(raw: JsonObject, index: number): DbtFreshnessResult {
  const error = raw.error;
  return {
    uniqueId: stringOr(raw.unique_id, `results[${index}]`),
    status: statusOf(raw.status),
    maxLoadedAt: loadTimeOf(raw.max_loaded_at),
    snapshottedAt: stringOrNull(raw.snapshotted_at),
    ageSeconds: loadTimeOf(raw.max_loaded_at) === null ? null : numberOrNull(raw.max_loaded_at_time_ago_in_s),
    criteria: freshnessCriteriaOf(raw.criteria),
    error: typeof error === 'string' ? error : error == null ? null : String(error),
    executionTime: numberOrNull(raw.execution_time),
    threadId: stringOrNull(raw.thread_id),
    adapterResponse: objectOf(raw.adapter_response),
    extra: extraFields(raw, freshnessFields),
  };
}
