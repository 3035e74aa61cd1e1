import {
  createVendorHttpClient,
  isVendorHttpError,
  paginate,
  type RateLimiter,
  type VendorHttpAttempt,
  type VendorHttpClient,
  type VendorHttpClientOptions,
} from '@cartograph/platform/http';
import { Secret } from '@cartograph/platform/secrets';
import { HexApiError } from './hex.error.js';
import { hexApiBaseUrl, hexTokenType, type HexTokenType } from './hex-urls.js';
import {
  HexResponseError,
  mapCollection,
  mapDataConnection,
  mapProject,
  mapUser,
  readHexReason,
  readPage,
  type HexCollectionRecord,
  type HexDataConnectionRecord,
  type HexPage,
  type HexProjectRecord,
  type HexUserRecord,
} from './hex.mapper.js';

export { HexApiError, type HexApiErrorCode } from './hex.error.js';

// The Hex API v1 client: the only file of the service that speaks HTTP to Hex (DESIGN §1); field names stay in
// the mapper. On top of the platform's vendor client it adds what Hex needs (research/hex.md §1.8, §7.5):
// - one rate limiter per token shared by every worker (a Redis token bucket, given by the factory), so parallel
//   syncs stay under Hex's 60 requests a minute together instead of each earning 429s;
// - retries of 429 (after Retry-After, or a backoff when Hex sends none), 5xx, timeouts and network errors;
// - errors in DESIGN §6 codes with messages in the user's terms, never holding the token.

const VENDOR = 'hex';
export const HEX_PAGE_SIZE = 100;
const DEFAULT_TIMEOUT_MS = 30_000;

export interface HexListProjectsOptions {
  includeComponents: boolean;
  includeArchived: boolean;
  includeTrashed: boolean;
  /** Status names; empty means every status. */
  statuses?: readonly string[];
  /** Category names; empty means every category. */
  categories?: readonly string[];
  sortBy?: 'CREATED_AT' | 'LAST_EDITED_AT' | 'LAST_PUBLISHED_AT';
  sortDirection?: 'ASC' | 'DESC';
  /** The `after` cursor to resume from (a page the previous attempt did not finish). */
  start?: string | null;
}

export interface HexCapability {
  ok: boolean;
  /** What Hex said when the capability is missing. */
  message: string | null;
}

export interface HexCheck {
  tokenType: HexTokenType;
  /** Projects on the first page (at most 100), to show that listing works. */
  projects: HexCapability & { sample: number };
  dataConnections: HexCapability & { count: number };
  collections: HexCapability & { count: number };
  users: HexCapability & { count: number };
  /** Enterprise only; null when there is no project to ask about. */
  queriedTables: HexCapability | null;
}

export interface HexClientOptions {
  /** Shared limiter (one per token); every attempt takes a token from it. */
  rateLimiter?: RateLimiter;
  timeoutMs?: number;
  retry?: VendorHttpClientOptions['retry'];
  signal?: AbortSignal;
  onAttempt?: (attempt: VendorHttpAttempt) => void;
}

export interface HexClient {
  readonly tokenType: HexTokenType;
  /** HTTP attempts sent so far (retries included). */
  readonly requestCount: number;
  /** 429 answers received so far. */
  readonly rateLimitedCount: number;
  /** Pages of projects, 100 per request, each with the cursor of the next page (null on the last). */
  projectPages(options: HexListProjectsOptions): AsyncGenerator<HexPage<HexProjectRecord>>;
  users(): Promise<HexUserRecord[]>;
  collections(): Promise<HexCollectionRecord[]>;
  dataConnections(): Promise<HexDataConnectionRecord[]>;
  /** What the token can see, capability by capability; throws only when the token itself is refused. */
  check(): Promise<HexCheck>;
  close(): Promise<void>;
}

export function createHexClient(
  connection: { host: string; token: string | Secret },
  options: HexClientOptions = {},
): HexClient {
  return new HttpHexClient(connection, options);
}

class HttpHexClient implements HexClient {
  readonly tokenType: HexTokenType;
  readonly #http: VendorHttpClient;
  readonly #token: string;
  readonly #signal: AbortSignal | undefined;
  #requestCount = 0;
  #rateLimitedCount = 0;

  constructor(connection: { host: string; token: string | Secret }, options: HexClientOptions) {
    this.#token = Secret.reveal(connection.token);
    if (this.#token.trim() === '') throw new HexApiError('BAD_USER_INPUT', 'The Hex token is empty');
    this.tokenType = hexTokenType(this.#token);
    this.#signal = options.signal;
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#http = createVendorHttpClient({
      vendor: VENDOR,
      baseUrl: `${hexApiBaseUrl(connection.host)}/`,
      headers: { authorization: new Secret(`Bearer ${this.#token}`) },
      secrets: [this.#token],
      timeouts: { headersMs: timeoutMs, bodyMs: timeoutMs, attemptMs: timeoutMs * 4 },
      // A 429 without Retry-After backs off 2, 4, 8, 16 s (plus jitter): Hex's window is a minute.
      retry: {
        maxAttempts: 6,
        baseDelayMs: 2_000,
        maxDelayMs: 30_000,
        maxTotalDelayMs: 120_000,
        maxRetryAfterMs: 65_000,
        ...options.retry,
      },
      rateLimiter: options.rateLimiter,
      onAttempt: (attempt) => {
        this.#requestCount += 1;
        if (attempt.status === 429) this.#rateLimitedCount += 1;
        options.onAttempt?.(attempt);
      },
    });
  }

  get requestCount(): number {
    return this.#requestCount;
  }

  get rateLimitedCount(): number {
    return this.#rateLimitedCount;
  }

  async *projectPages(options: HexListProjectsOptions): AsyncGenerator<HexPage<HexProjectRecord>> {
    const query = {
      limit: HEX_PAGE_SIZE,
      includeComponents: options.includeComponents,
      includeArchived: options.includeArchived,
      includeTrashed: options.includeTrashed,
      // Collections are only in `sharing`.
      includeSharing: true,
      statuses: options.statuses?.length ? options.statuses : undefined,
      categories: options.categories?.length ? options.categories : undefined,
      sortBy: options.sortBy,
      sortDirection: options.sortDirection,
    };
    type Raw = { values: unknown[]; after: string | null };
    const pages = paginate<Raw, Raw, string>({
      start: options.start ?? undefined,
      signal: this.#signal,
      fetchPage: async (cursor) =>
        readPage(await this.#get('projects', { ...query, after: cursor }, 'list-projects'), 'project'),
      getItems: (page) => [page],
      getNextCursor: (page) => page.after,
    });
    for await (const page of pages) {
      yield { values: page.values.map(mapProject), after: page.after };
    }
  }

  async users(): Promise<HexUserRecord[]> {
    return (await this.#all('users', 'list-users', { sortBy: 'EMAIL' }))
      .map(mapUser)
      .filter((user): user is HexUserRecord => user !== null);
  }

  async collections(): Promise<HexCollectionRecord[]> {
    return (await this.#all('collections', 'list-collections', {}))
      .map(mapCollection)
      .filter((collection): collection is HexCollectionRecord => collection !== null);
  }

  async dataConnections(): Promise<HexDataConnectionRecord[]> {
    return (await this.#all('data-connections', 'list-data-connections', {}))
      .map(mapDataConnection)
      .filter((connection): connection is HexDataConnectionRecord => connection !== null);
  }

  async check(): Promise<HexCheck> {
    // The project listing decides whether the token works at all: a 401 here is thrown.
    const first = readPage(
      await this.#get('projects', { limit: HEX_PAGE_SIZE, includeComponents: true }, 'list-projects'),
      'project',
    );
    const optional = async <T>(run: () => Promise<T[]>): Promise<HexCapability & { count: number }> => {
      try {
        return { ok: true, message: null, count: (await run()).length };
      } catch (error) {
        if (error instanceof HexApiError && error.code === 'UPSTREAM_AUTH_FAILED') throw error;
        return { ok: false, message: (error as Error).message, count: 0 };
      }
    };
    const dataConnections = await optional(() => this.dataConnections());
    const collections = await optional(() => this.collections());
    const users = await optional(() => this.users());
    let queriedTables: HexCapability | null = null;
    const firstId = first.values.length > 0 ? mapProject(first.values[0]).id : null;
    if (firstId) {
      try {
        await this.#get(`projects/${encodeURIComponent(firstId)}/queriedTables`, {}, 'queried-tables');
        queriedTables = { ok: true, message: null };
      } catch (error) {
        if (error instanceof HexApiError && error.code === 'UPSTREAM_AUTH_FAILED') throw error;
        queriedTables = { ok: false, message: (error as Error).message };
      }
    }
    return {
      tokenType: this.tokenType,
      projects: { ok: true, message: null, sample: first.values.length },
      dataConnections,
      collections,
      users,
      queriedTables,
    };
  }

  close(): Promise<void> {
    return this.#http.close();
  }

  async #all(path: string, operation: string, query: Record<string, string>): Promise<unknown[]> {
    const items: unknown[] = [];
    const pages = paginate<{ values: unknown[]; after: string | null }, unknown, string>({
      signal: this.#signal,
      fetchPage: async (cursor) =>
        readPage(await this.#get(path, { ...query, limit: HEX_PAGE_SIZE, after: cursor }, operation), path),
      getItems: (page) => page.values,
      getNextCursor: (page) => page.after,
    });
    for await (const item of pages) items.push(item);
    return items;
  }

  async #get(
    path: string,
    query: Record<string, string | number | boolean | readonly string[] | undefined>,
    operation: string,
  ): Promise<unknown> {
    try {
      return await this.#http.getJson(path, { query, operation, signal: this.#signal });
    } catch (error) {
      throw this.#describe(error, operation);
    }
  }

  #describe(error: unknown, operation: string): Error {
    if (error instanceof HexResponseError) {
      return new HexApiError('UPSTREAM_UNAVAILABLE', error.message, { operation, secrets: [this.#token] });
    }
    if (!isVendorHttpError(error)) return error as Error;
    const reason = readHexReason(error.bodyExcerpt);
    const said = reason ? ` (Hex said: "${reason.slice(0, 200)}")` : '';
    const details = {
      status: error.status,
      operation,
      retryAfterMs: error.retryAfterMs,
      secrets: [this.#token],
      cause: error,
    };
    switch (error.status) {
      case 401:
        return new HexApiError(
          'UPSTREAM_AUTH_FAILED',
          `Hex refused the token (HTTP 401)${said}: it is wrong, expired or revoked. ${
            this.tokenType === 'personal'
              ? 'Personal access tokens expire after the lifetime an admin set; create a new one'
              : 'Create a new token in Hex (Settings → API keys)'
          } and update the connection.`,
          details,
        );
      case 403:
        return new HexApiError(
          'FORBIDDEN',
          `Hex refused ${operation} (HTTP 403)${said}: the token lacks the scope (a workspace token needs read access to projects, users, collections and data connections) or the plan does not include it.`,
          details,
        );
      case 404:
        return new HexApiError(
          'NOT_FOUND',
          `Hex has no such resource (${operation}, HTTP 404)${said}`,
          details,
        );
      case 429:
        return new HexApiError(
          'RATE_LIMITED',
          `Hex kept answering 429 (too many requests) to ${operation}; the sync will try again later`,
          details,
        );
      case 400:
        return new HexApiError(
          'BAD_USER_INPUT',
          `Hex refused the request ${operation} (HTTP 400)${said}`,
          details,
        );
      default:
        return new HexApiError(
          error.code === 'INTERNAL' ? 'INTERNAL' : 'UPSTREAM_UNAVAILABLE',
          `Hex did not answer ${operation}: ${error.message}`,
          details,
        );
    }
  }
}
