import { Pool } from 'undici';
import { signIdentity, type Identity } from '@cartograph/platform/auth';

export interface GraphqlResponse<T> {
  status: number;
  data: T | undefined;
  errors: { message: string }[] | undefined;
}

export interface GraphqlClient {
  /** Throws on a non-200 status or GraphQL errors, so the load generator counts them. */
  query<T = unknown>(query: string, variables?: object, signal?: AbortSignal): Promise<T>;
  /** Returns the raw response without judging it. */
  request<T = unknown>(query: string, variables?: object, signal?: AbortSignal): Promise<GraphqlResponse<T>>;
  close(): Promise<void>;
}

export interface GraphqlClientOptions {
  /** The `/graphql` URL of a subgraph or the gateway. */
  url: string;
  /** Calls straight to a subgraph carry the identity the gateway would sign. */
  identity?: { identity: Identity; secret: string };
  /** Keep-alive connections; at least the load's concurrency, or requests queue in the client. */
  connections?: number;
}

/** A GraphQL-over-HTTP client on an undici keep-alive pool: cheap enough not to skew in-process measurements. */
export function createGraphqlClient(options: GraphqlClientOptions): GraphqlClient {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  let signed: { headers: Record<string, string>; at: number } | null = null;
  const headers = (): Record<string, string> => {
    const base = { 'content-type': 'application/json', accept: 'application/json' };
    if (!options.identity) {
      return base;
    }
    // Signatures are valid for five minutes; re-sign every minute so long runs keep working.
    if (!signed || Date.now() - signed.at > 60_000) {
      signed = { headers: signIdentity(options.identity.identity, options.identity.secret), at: Date.now() };
    }
    return { ...base, ...signed.headers };
  };

  const request = async <T>(
    query: string,
    variables?: object,
    signal?: AbortSignal,
  ): Promise<GraphqlResponse<T>> => {
    const response = await pool.request({
      path: url.pathname,
      method: 'POST',
      headers: headers(),
      body: JSON.stringify({ query, variables }),
      signal,
    });
    const text = await response.body.text();
    let body: { data?: T; errors?: { message: string }[] } = {};
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = { errors: [{ message: `not JSON (HTTP ${response.statusCode}): ${text.slice(0, 200)}` }] };
    }
    return { status: response.statusCode, data: body.data, errors: body.errors };
  };

  return {
    request,
    async query<T>(query: string, variables?: object, signal?: AbortSignal): Promise<T> {
      const response = await request<T>(query, variables, signal);
      if (response.status !== 200 || response.errors?.length || response.data === undefined) {
        const message = response.errors?.map((error) => error.message).join('; ') ?? 'no data';
        throw new Error(`HTTP ${response.status}: ${message}`);
      }
      return response.data;
    },
    async close() {
      await pool.close();
    },
  };
}
