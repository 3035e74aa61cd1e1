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
  /** Or any headers, asked for per request (e.g. `bearerHeaders(key)` for the gateway). */
  headers?: () => Record<string, string>;
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
  const base = { 'content-type': 'application/json', accept: 'application/json' };
  const extra =
    options.headers ??
    (options.identity ? signedIdentityHeaders(options.identity.identity, options.identity.secret) : null);
  const headers = (): Record<string, string> => (extra ? { ...base, ...extra() } : base);

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

/** `Authorization: Bearer <key>`, as a client of the gateway sends it. */
export function bearerHeaders(apiKey: string): () => Record<string, string> {
  const headers = { authorization: `Bearer ${apiKey}` };
  return () => headers;
}

/**
 * The identity headers the gateway would add, signed with the internal secret. Signatures expire after five
 * minutes; they are renewed every `renewMs` (a minute), so a long run keeps working.
 */
export function signedIdentityHeaders(
  identity: Identity,
  secret: string,
  renewMs = 60_000,
): () => Record<string, string> {
  let signed: { headers: Record<string, string>; at: number } | null = null;
  return () => {
    if (!signed || Date.now() - signed.at > renewMs) {
      signed = { headers: signIdentity(identity, secret), at: Date.now() };
    }
    return signed.headers;
  };
}
