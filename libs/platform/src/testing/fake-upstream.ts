import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

// The base of every fake vendor server (dbt Cloud, Hex, Semantic Layer, warehouse SQL APIs): a real HTTP
// server on 127.0.0.1, so tests exercise the real client, its timeouts and its retries over real sockets
// (DESIGN §6). It knows no vendor: a vendor fake registers routes serving that vendor's wire shapes and uses
// the scripted faults to produce its errors, 429s and slow answers.

export type FakeQuery = Record<string, string>;

/** A request as the fake received it, kept in `fake.requests` for assertions. */
export interface RecordedRequest {
  method: string;
  /** Path without query string. */
  path: string;
  /** Last value of each query parameter; `searchParams` has them all. */
  query: FakeQuery;
  searchParams: URLSearchParams;
  /** Lower-case names, as Node gives them. */
  headers: IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
  body: unknown;
  rawBody: Buffer;
  /** Path parameters of the matched route (`:id` → `params.id`). */
  params: Record<string, string>;
  /** Pattern of the matched route, if any. */
  route: string | undefined;
  /** Whether a scripted fault answered instead of the route. */
  faulted: boolean;
  receivedAt: Date;
}

export interface FakeRequest extends RecordedRequest {
  /** The page of `items` this request asks for (see `paginateRequest`). */
  paginate<T>(items: readonly T[], options: FakePaginationOptions): FakePage<T>;
}

const RESPONSE = Symbol('FakeResponse');

export interface FakeResponse {
  readonly [RESPONSE]: true;
  status: number;
  headers: Record<string, string | string[]>;
  /** Objects and arrays are sent as JSON; strings and buffers as they are. */
  body: unknown;
}

/**
 * Returns a `FakeResponse`, or any other value to send it as JSON with status 200 (`undefined` → 204).
 */
export type FakeHandler = (request: FakeRequest) => unknown;

export type FakeFault =
  | { status: number; headers?: Record<string, string | string[]>; body?: unknown }
  /** Destroys the connection without an answer, which the client sees as a network error. */
  | { reset: true };

export interface FakeTarget {
  method?: string;
  /** A route pattern as registered (`/accounts/:id/`) or a concrete path (`/accounts/1/`). */
  path?: string;
}

export interface FakeDelayOptions extends FakeTarget {
  /** `headers` (default) waits before answering; `body` sends the headers, then waits before the body. */
  phase?: 'headers' | 'body';
  /** Delay only the next n matching requests; default every request until `delay(0)`. */
  times?: number;
}

export interface FakePaginationOptions {
  /** Default and maximum page size. */
  pageSize: number;
  style: 'offset' | 'cursor';
  /** Query parameter names; defaults `offset`, `limit`, `cursor`. */
  offsetParameter?: string;
  limitParameter?: string;
  cursorParameter?: string;
}

export interface FakePage<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
  hasMore: boolean;
  /** Offset of the next page (offset style), undefined on the last page. */
  nextOffset: number | undefined;
  /** Opaque cursor of the next page (cursor style), undefined on the last page. */
  nextCursor: string | undefined;
}

/** Reply helpers, for handlers that need a status or headers. */
export const reply = {
  json(body: unknown, status = 200, headers: Record<string, string | string[]> = {}): FakeResponse {
    return {
      [RESPONSE]: true,
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    };
  },
  text(body: string, status = 200, headers: Record<string, string | string[]> = {}): FakeResponse {
    return {
      [RESPONSE]: true,
      status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...headers },
      body,
    };
  },
  status(status: number, body?: unknown, headers: Record<string, string | string[]> = {}): FakeResponse {
    return toResponse(status, headers, body);
  },
  empty(status = 204, headers: Record<string, string | string[]> = {}): FakeResponse {
    return { [RESPONSE]: true, status, headers, body: undefined };
  },
};

export function isFakeResponse(value: unknown): value is FakeResponse {
  return typeof value === 'object' && value !== null && RESPONSE in value;
}

function toResponse(status: number, headers: Record<string, string | string[]>, body: unknown): FakeResponse {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    return { [RESPONSE]: true, status, headers, body };
  }
  return reply.json(body, status, headers);
}

/**
 * Returns the page of `items` a request asks for. Offset style reads `offset` and `limit`; cursor style
 * reads `cursor` (opaque, as this function issued it) and `limit`. `limit` is capped at `pageSize`.
 */
export function paginateRequest<T>(
  query: FakeQuery,
  items: readonly T[],
  options: FakePaginationOptions,
): FakePage<T> {
  const limitParameter = options.limitParameter ?? 'limit';
  const requestedLimit = Number.parseInt(query[limitParameter] ?? '', 10);
  const limit = requestedLimit > 0 ? Math.min(requestedLimit, options.pageSize) : options.pageSize;
  let offset = 0;
  if (options.style === 'offset') {
    offset = Math.max(0, Number.parseInt(query[options.offsetParameter ?? 'offset'] ?? '0', 10) || 0);
  } else {
    const cursor = query[options.cursorParameter ?? 'cursor'];
    if (cursor) offset = decodeCursor(cursor);
  }
  const pageItems = items.slice(offset, offset + limit);
  const next = offset + pageItems.length;
  const hasMore = next < items.length;
  return {
    items: pageItems,
    total: items.length,
    offset,
    limit,
    hasMore,
    nextOffset: hasMore && options.style === 'offset' ? next : undefined,
    nextCursor: hasMore && options.style === 'cursor' ? encodeCursor(next) : undefined,
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new FakeHttpError(400, `invalid cursor ${JSON.stringify(cursor)}`);
  return Number(match[1]);
}

/** Thrown by a handler (or `paginateRequest`) to answer with a status and a JSON error body. */
export class FakeHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown = { error: message },
  ) {
    super(message);
  }
}

interface Route {
  method: string;
  pattern: string;
  matcher: RegExp;
  parameterNames: string[];
  handler: FakeHandler;
}

interface ScriptedFault {
  remaining: number;
  fault: FakeFault;
  target: FakeTarget;
}

interface ScriptedDelay {
  remaining: number;
  ms: number;
  phase: 'headers' | 'body';
  target: FakeTarget;
}

function compilePattern(pattern: string): { matcher: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = pattern
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        parameterNames.push('*');
        return '(.*)';
      }
      if (segment.startsWith(':')) {
        parameterNames.push(segment.slice(1));
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { matcher: new RegExp(`^${source}$`), parameterNames };
}

export class FakeUpstream {
  /** Every request received, in order, faulted ones included. */
  readonly requests: RecordedRequest[] = [];
  readonly #routes: Route[] = [];
  #faults: ScriptedFault[] = [];
  #delays: ScriptedDelay[] = [];
  #server: Server | undefined;
  #baseUrl: string | undefined;
  // Pending delays, cancelled by `stop()` so that no timer outlives the test.
  readonly #timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  /** Starts listening on 127.0.0.1 on a free port; returns the base URL (`http://127.0.0.1:PORT`). */
  async start(): Promise<string> {
    if (this.#baseUrl) return this.#baseUrl;
    const server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ error: `fake upstream failed: ${String(error)}` }));
        } else {
          response.destroy();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.#baseUrl = `http://127.0.0.1:${port}`;
    return this.#baseUrl;
  }

  /** Closes the server, its open connections and pending delays. */
  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    this.#baseUrl = undefined;
    for (const pending of this.#timers) {
      clearTimeout(pending.timer);
      pending.resolve();
    }
    this.#timers.clear();
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  get baseUrl(): string {
    if (!this.#baseUrl) throw new Error('FakeUpstream is not started: call `await fake.start()` first');
    return this.#baseUrl;
  }

  /** Absolute URL of a path on this server. */
  url(path: string): string {
    return `${this.baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
  }

  /**
   * Registers a handler for a method and a path pattern: `:name` matches one segment, a final `*` the rest.
   * Registering the same method and pattern again replaces the handler (handy to vary one test).
   */
  route(method: string, pattern: string, handler: FakeHandler): this {
    const upperMethod = method.toUpperCase();
    const existing = this.#routes.findIndex(
      (route) => route.method === upperMethod && route.pattern === pattern,
    );
    const route: Route = { method: upperMethod, pattern, handler, ...compilePattern(pattern) };
    if (existing === -1) this.#routes.push(route);
    else this.#routes[existing] = route;
    return this;
  }

  /** Answers the next `count` matching requests (all routes when no target) with the fault instead. */
  failNext(count: number, fault: FakeFault, target: FakeTarget = {}): this {
    this.#faults.push({ remaining: count, fault, target });
    return this;
  }

  /** Slows down matching responses; `delay(0)` removes all delays. */
  delay(ms: number, options: FakeDelayOptions = {}): this {
    if (ms <= 0) {
      this.#delays = [];
      return this;
    }
    const { phase = 'headers', times = Number.POSITIVE_INFINITY, ...target } = options;
    this.#delays.push({ remaining: times, ms, phase, target });
    return this;
  }

  /** Forgets requests, faults and delays; keeps the routes. */
  reset(): void {
    this.requests.length = 0;
    this.#faults = [];
    this.#delays = [];
  }

  /** Requests received for a method and a pattern or a path. */
  requestsTo(method: string, path: string): RecordedRequest[] {
    const upperMethod = method.toUpperCase();
    return this.requests.filter(
      (request) => request.method === upperMethod && (request.route === path || request.path === path),
    );
  }

  async #handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const rawBody = await readBody(incoming);
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const method = (incoming.method ?? 'GET').toUpperCase();
    const matched = this.#match(method, url.pathname);
    const recorded: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      searchParams: url.searchParams,
      headers: incoming.headers,
      body: parseBody(rawBody, incoming.headers['content-type']),
      rawBody,
      params: matched?.params ?? {},
      route: matched?.route.pattern,
      faulted: false,
      receivedAt: new Date(),
    };
    this.requests.push(recorded);

    const delay = this.#take(this.#delays, method, url.pathname, recorded.route);
    if (delay?.phase === 'headers') await this.#wait(delay.ms);

    const fault = this.#take(this.#faults, method, url.pathname, recorded.route)?.fault;
    let result: FakeResponse;
    if (fault) {
      recorded.faulted = true;
      if ('reset' in fault) {
        incoming.socket.destroy();
        return;
      }
      result = toResponse(
        fault.status,
        fault.headers ?? {},
        fault.body ?? { error: 'injected fault', status: fault.status },
      );
    } else if (!matched) {
      result = reply.json({ error: `no route for ${method} ${url.pathname}` }, 404);
    } else {
      const request: FakeRequest = {
        ...recorded,
        paginate: (items, options) => paginateRequest(recorded.query, items, options),
      };
      try {
        const value = await matched.route.handler(request);
        result = isFakeResponse(value) ? value : value === undefined ? reply.empty() : reply.json(value);
      } catch (error) {
        if (!(error instanceof FakeHttpError)) throw error;
        result = toResponse(error.status, {}, error.body);
      }
    }
    if (response.destroyed) return;

    const body =
      result.body === undefined
        ? undefined
        : Buffer.isBuffer(result.body)
          ? result.body
          : Buffer.from(String(result.body));
    response.writeHead(result.status, {
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...result.headers,
    });
    if (delay?.phase === 'body') {
      response.flushHeaders();
      await this.#wait(delay.ms);
      if (response.destroyed) return;
    }
    response.end(body);
  }

  #match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.#routes) {
      if (route.method !== method) continue;
      const match = route.matcher.exec(path);
      if (!match) continue;
      const params: Record<string, string> = {};
      route.parameterNames.forEach((name, index) => {
        params[name] = decodeURIComponent(match[index + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }

  /** Takes one use of the first scripted entry that matches the request, dropping it when used up. */
  #take<T extends { remaining: number; target: FakeTarget }>(
    entries: T[],
    method: string,
    path: string,
    pattern: string | undefined,
  ): T | undefined {
    const index = entries.findIndex(
      ({ target }) =>
        (!target.method || target.method.toUpperCase() === method) &&
        (!target.path || target.path === path || target.path === pattern),
    );
    if (index === -1) return undefined;
    const entry = entries[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) entries.splice(index, 1);
    return entry;
  }

  #wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const pending = {
        timer: setTimeout(() => {
          this.#timers.delete(pending);
          resolve();
        }, ms),
        resolve,
      };
      this.#timers.add(pending);
    });
  }
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseBody(rawBody: Buffer, contentType: string | undefined): unknown {
  if (rawBody.length === 0) return undefined;
  const text = rawBody.toString('utf8');
  if (contentType?.includes('json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
