import {
  decodeArrowResult,
  isTerminalQueryStatus,
  mergeResultPages,
  type DecodedResult,
  type MetricQueryVariables,
  type SemanticLayerQueryResult,
} from '@cartograph/semantic-layer';
import type { SemanticLayerClient } from '../upstream/semantic-layer.client.js';
import { SemanticLayerUpstreamError, queryFailureCode } from '../upstream/semantic-layer-upstream.error.js';

export interface MetricQueryRunOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  pollMaxIntervalMs: number;
  maxRows: number;
}

export interface MetricQueryRunResult extends DecodedResult {
  queryId: string;
  sql: string | null;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one query the way the Python SDK does (research §3): createQuery, poll page 1 with a growing wait until
 * SUCCESSFUL or FAILED, then read pages 2..totalPages and decode every Arrow page. The Semantic Layer has no
 * cancel call, so a query past `timeoutMs` is abandoned (it may still finish upstream).
 */
export async function runMetricQuery(
  client: SemanticLayerClient,
  variables: MetricQueryVariables,
  options: MetricQueryRunOptions,
): Promise<MetricQueryRunResult> {
  const deadline = Date.now() + options.timeoutMs;
  const queryId = await client.createQuery(variables);
  let wait = options.pollIntervalMs;
  let first: SemanticLayerQueryResult;
  for (;;) {
    first = await client.queryResult(queryId, 1);
    if (isTerminalQueryStatus(first.status)) break;
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      const seconds = Math.round(options.timeoutMs / 100) / 10;
      throw new SemanticLayerUpstreamError(
        'UPSTREAM_UNAVAILABLE',
        `The Semantic Layer query ${queryId} was cancelled after ${seconds} s (last status ${first.status}); ` +
          'narrow the query or raise SEMANTIC_LAYER_QUERY_TIMEOUT_SECONDS',
        { queryId, timedOut: true },
      );
    }
    await sleep(Math.min(wait, remaining));
    wait = Math.min(wait * 1.5, options.pollMaxIntervalMs);
  }
  if (first.status === 'FAILED') {
    const upstream = first.error?.trim() || 'no error text';
    throw new SemanticLayerUpstreamError(
      queryFailureCode(first.error),
      `The Semantic Layer query ${queryId} failed: ${upstream}`,
      { queryId },
    );
  }
  const totalPages = Math.max(1, first.totalPages ?? 1);
  const pages: DecodedResult[] = [decodePage(first, queryId, 1)];
  let rowCount = pages[0]!.rows.length;
  for (let pageNum = 2; pageNum <= totalPages; pageNum += 1) {
    if (rowCount > options.maxRows) break;
    const page = await client.queryResult(queryId, pageNum);
    pages.push(decodePage(page, queryId, pageNum));
    rowCount += pages.at(-1)!.rows.length;
  }
  if (rowCount > options.maxRows) {
    throw new SemanticLayerUpstreamError(
      'BAD_USER_INPUT',
      `The Semantic Layer query ${queryId} returns more than ${options.maxRows} rows (SEMANTIC_LAYER_MAX_ROWS); add a limit or filters`,
      { queryId },
    );
  }
  return { ...mergeResultPages(pages), queryId, sql: first.sql ?? null };
}

function decodePage(page: SemanticLayerQueryResult, queryId: string, pageNum: number): DecodedResult {
  if (!page.arrowResult) {
    throw new SemanticLayerUpstreamError(
      'UPSTREAM_UNAVAILABLE',
      `The Semantic Layer answered page ${pageNum} of query ${queryId} without a result`,
      { queryId },
    );
  }
  return decodeArrowResult(page.arrowResult);
}
