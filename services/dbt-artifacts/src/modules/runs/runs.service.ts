import { Injectable } from '@nestjs/common';
import { decodeCursor, pageSize, requestLoader, toConnection } from '@cartograph/platform/graphql';
import type { DbtFreshness, DbtRunOutcome } from '../nodes/dbt-node.model.js';
import type { DbtLatestFreshnessEntity } from './dbt-latest-freshness.entity.js';
import type { DbtLatestResultEntity } from './dbt-latest-result.entity.js';
import { RunsRepository } from './runs.repository.js';

const number = (value: string | number | null): number | null => (value === null ? null : Number(value));
const key = (projectId: string, uniqueId: string) => `${projectId}\u0000${uniqueId}`;
const split = (entry: string) => ({
  projectId: entry.split('\u0000')[0]!,
  uniqueId: entry.split('\u0000')[1]!,
});

function outcomeOf(
  row: DbtLatestResultEntity & { which?: string | null; dbtCloudRunId?: string | null },
): DbtRunOutcome {
  return {
    status: row.status,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    durationSeconds: row.executionTime,
    rowsAffected: number(row.rowsAffected),
    message: row.message,
    failures: number(row.failures),
    runId: row.runId,
    command: row.which ?? null,
    generatedAt: row.generatedAt,
    dbtCloudRunId: row.dbtCloudRunId ?? null,
  };
}

function freshnessOf(
  row: DbtLatestFreshnessEntity | (Omit<DbtLatestFreshnessEntity, 'generatedAt'> & { generatedAt?: Date }),
): DbtFreshness {
  return {
    status: row.status,
    maxLoadedAt: row.maxLoadedAt,
    snapshottedAt: row.snapshottedAt,
    ageSeconds: row.ageSeconds,
    criteria: row.criteria,
    error: row.error,
  };
}

@Injectable()
export class RunsService {
  constructor(private readonly runs: RunsRepository) {}

  lastRun(context: object, projectId: string, uniqueId: string): Promise<DbtRunOutcome | null> {
    return requestLoader<string, DbtRunOutcome>(context, 'dbt-last-run', async (keys) => {
      const rows = await this.runs.latestResults(keys.map(split));
      const found = new Map(rows.map((row) => [key(row.projectId, row.uniqueId), outcomeOf(row)]));
      return keys.map((entry) => found.get(entry) ?? null);
    }).load(key(projectId, uniqueId));
  }

  freshness(context: object, projectId: string, uniqueId: string): Promise<DbtFreshness | null> {
    return requestLoader<string, DbtFreshness>(context, 'dbt-freshness', async (keys) => {
      const rows = await this.runs.latestFreshness(keys.map(split));
      const found = new Map(rows.map((row) => [key(row.projectId, row.uniqueId), freshnessOf(row)]));
      return keys.map((entry) => found.get(entry) ?? null);
    }).load(key(projectId, uniqueId));
  }

  async history(projectId: string, uniqueId: string, first: number, after: string | null) {
    const size = pageSize(first, 20);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.runs.resultHistory(projectId, uniqueId, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.generatedAt.toISOString(), row.runId],
      Boolean(cursor),
      (row) => outcomeOf({ ...row, generatedAt: row.generatedAt }),
    );
  }

  async freshnessHistory(projectId: string, uniqueId: string, first: number): Promise<DbtFreshness[]> {
    return (await this.runs.freshnessHistory(projectId, uniqueId, pageSize(first, 20))).map((row) =>
      freshnessOf(row),
    );
  }
}
