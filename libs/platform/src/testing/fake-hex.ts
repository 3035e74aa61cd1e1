import { randomUUID } from 'node:crypto';
import {
  FakeUpstream,
  reply,
  type FakeDelayOptions,
  type FakeRequest,
  type FakeResponse,
} from './fake-upstream.js';

// A fake Hex public API v1 on 127.0.0.1, built on FakeUpstream (research/hex.md §1.11). It serves the wire shapes
// of §1.3–§1.7 from a scenario a test configures: `{values, pagination: {after, before}}` lists with opaque
// cursors in the real format (base64url of `v2:["<sort key>","<id>"]`, `after` = last item, `before` = first
// item even on the first page), every ListProjects parameter (filters, components, archived and trashed flags,
// `sharing` only with includeSharing, sort key and direction, backward paging), personal tokens that see what
// their user sees and workspace tokens that see the workspace, per-token scopes (403), the Enterprise-only
// queriedTables, and the faults a client must survive: 401, 429 past N requests per window (the window is
// configurable, so a test of the 60-per-minute limit need not last minutes), 5xx and slow pages.

export type FakeHexScope = 'projects' | 'users' | 'collections' | 'data-connections' | 'queried-tables';

export const ALL_HEX_SCOPES: readonly FakeHexScope[] = [
  'projects',
  'users',
  'collections',
  'data-connections',
  'queried-tables',
];

export interface FakeHexTokenOptions {
  /** A personal token (`hxtp_…`) acts as this user: it lists the projects the user owns, created or was given. */
  user?: string;
  /** Default every scope. A missing scope answers 403. */
  scopes?: readonly FakeHexScope[];
}

export type FakeHexAccess = 'NONE' | 'APP_ONLY' | 'CAN_VIEW' | 'CAN_EDIT' | 'FULL_ACCESS';

export interface FakeHexScheduleOptions {
  cadence: 'HOURLY' | 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'CUSTOM';
  enabled?: boolean;
  timezone?: string;
  minute?: number;
  hour?: number;
  dayOfWeek?: string;
  day?: number;
  cron?: string;
}

export interface FakeHexProjectOptions {
  /** Default a random UUID. */
  id?: string;
  title: string;
  description?: string | null;
  type?: 'PROJECT' | 'COMPONENT';
  creatorEmail?: string;
  /** Default the creator. */
  ownerEmail?: string;
  status?: string | null;
  categories?: readonly string[];
  /** Collection names (the project JSON only ever gives names). */
  collections?: readonly string[];
  /** Users the project is shared with, by email. */
  sharedWith?: readonly string[];
  /** Workspace-wide access; default NONE. */
  workspaceAccess?: FakeHexAccess;
  /**
   * Timestamps: a Date is served as ISO 8601 with milliseconds; a string is served as it is (so a test can serve
   * `2024-08-21T17:16:09Z`, without milliseconds).
   */
  createdAt?: Date | string;
  lastEditedAt?: Date | string;
  lastPublishedAt?: Date | string | null;
  archivedAt?: Date | string | null;
  trashedAt?: Date | string | null;
  appViews?: { allTime?: number; lastSevenDays?: number; lastFourteenDays?: number; lastThirtyDays?: number };
  lastViewedAt?: Date | string | null;
  schedules?: readonly FakeHexScheduleOptions[];
  /** Tables for `/queriedTables` (Enterprise): `{dataConnectionId, tableName}`. */
  queriedTables?: readonly { dataConnectionId: string; tableName: string }[];
}

export interface FakeHexUserOptions {
  id?: string;
  name?: string;
  email: string;
  role?: string;
}

export interface FakeHexCollectionOptions {
  id?: string;
  name: string;
  description?: string | null;
}

export interface FakeHexDataConnectionOptions {
  id?: string;
  name: string;
  /** snowflake, bigquery, postgres, redshift, databricks, … */
  type: string;
  connectionDetails?: Record<string, unknown>;
}

export interface FakeHexRateLimitOptions {
  /** Requests one token may make per window; the next ones get 429. Hex: 60. */
  requests: number;
  /** Default 60 000 ms (Hex's minute); shorter windows keep tests short. */
  windowMs?: number;
  /** Send `Retry-After` (seconds until a request leaves the window) with each 429. Default true. */
  retryAfter?: boolean;
}

/** A request as the fake answered it. */
export interface FakeHexRequest {
  method: string;
  path: string;
  searchParams: URLSearchParams;
  token: string | undefined;
  status: number;
  receivedAt: Date;
}

interface ProjectState extends FakeHexProjectOptions {
  id: string;
}

type SortBy = 'CREATED_AT' | 'LAST_EDITED_AT' | 'LAST_PUBLISHED_AT';

const API = '/api/v1';
const SORTS: readonly SortBy[] = ['CREATED_AT', 'LAST_EDITED_AT', 'LAST_PUBLISHED_AT'];

class HexError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `v2:["<sort key>","<id>"]`, base64url without padding, as Hex issues them. */
export function encodeHexCursor(sortKey: string, id: string): string {
  return Buffer.from(`v2:${JSON.stringify([sortKey, id])}`, 'utf8').toString('base64url');
}

export function decodeHexCursor(cursor: string): [string, string] | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith('v2:')) return null;
  try {
    const value = JSON.parse(text.slice(3)) as unknown;
    if (Array.isArray(value) && value.length === 2 && value.every((part) => typeof part === 'string')) {
      return [value[0] as string, value[1] as string];
    }
  } catch {
    return null;
  }
  return null;
}

function iso(value: Date | string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : value.toISOString();
}

function time(value: Date | string | null | undefined): number {
  if (value === null || value === undefined) return Number.NEGATIVE_INFINITY;
  return new Date(value).getTime();
}

function bool(value: string | null): boolean {
  return value === 'true';
}

export class FakeHex {
  readonly upstream = new FakeUpstream();
  /** Every request answered, in order. */
  readonly requests: FakeHexRequest[] = [];
  /** 429s the rate limit answered (not scripted faults). */
  tooManyRequests = 0;
  readonly orgId = randomUUID();

  readonly #tokens = new Map<string, FakeHexTokenOptions>();
  readonly #projects = new Map<string, ProjectState>();
  readonly #users = new Map<string, Required<FakeHexUserOptions>>();
  readonly #collections = new Map<string, Required<FakeHexCollectionOptions>>();
  readonly #dataConnections = new Map<string, Required<FakeHexDataConnectionOptions>>();
  #enterprise = false;
  #rateLimit: FakeHexRateLimitOptions | undefined;
  readonly #hits = new Map<string, number[]>();
  #faults: {
    remaining: number;
    skip: number;
    status: number;
    path?: string;
    headers: Record<string, string>;
  }[] = [];

  constructor() {
    this.#routes();
  }

  /** Starts listening on 127.0.0.1; returns the host URL (`http://127.0.0.1:PORT`), the app base. */
  start(): Promise<string> {
    return this.upstream.start();
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }

  get baseUrl(): string {
    return this.upstream.baseUrl;
  }

  /** `<baseUrl>/api/v1`. */
  get apiUrl(): string {
    return `${this.baseUrl}${API}`;
  }

  // ---- scenario ------------------------------------------------------------------------------------------

  token(token: string, options: FakeHexTokenOptions = {}): this {
    this.#tokens.set(token, options);
    return this;
  }

  /** Revokes a token: it gets 401 from now on (an expired or regenerated token). */
  revoke(token: string): this {
    this.#tokens.delete(token);
    return this;
  }

  project(options: FakeHexProjectOptions): this {
    const id = options.id ?? randomUUID();
    const now = new Date();
    this.#projects.set(id, {
      createdAt: now,
      lastEditedAt: options.createdAt ?? now,
      ...options,
      id,
    });
    return this;
  }

  /** Changes a project as an edit in Hex would (the edit time moves unless given). */
  editProject(id: string, changes: Partial<FakeHexProjectOptions>): this {
    const project = this.#projects.get(id);
    if (!project) throw new Error(`FakeHex.editProject: unknown project ${id}`);
    this.#projects.set(id, { ...project, lastEditedAt: new Date(), ...changes, id });
    return this;
  }

  /** Deletes a project for good (it is no longer listed, even with includeTrashed). */
  removeProject(id: string): this {
    this.#projects.delete(id);
    return this;
  }

  get projectCount(): number {
    return this.#projects.size;
  }

  projectIds(): string[] {
    return [...this.#projects.keys()];
  }

  user(options: FakeHexUserOptions): this {
    const id = options.id ?? randomUUID();
    this.#users.set(id, {
      id,
      name: options.name ?? options.email.split('@')[0]!,
      email: options.email,
      role: options.role ?? 'EDITOR',
    });
    return this;
  }

  collection(options: FakeHexCollectionOptions): this {
    const id = options.id ?? randomUUID();
    this.#collections.set(id, { id, name: options.name, description: options.description ?? null });
    return this;
  }

  dataConnection(options: FakeHexDataConnectionOptions): this {
    const id = options.id ?? randomUUID();
    this.#dataConnections.set(id, {
      id,
      name: options.name,
      type: options.type,
      connectionDetails: options.connectionDetails ?? {},
    });
    return this;
  }

  /** Whether the workspace is on the Enterprise tier (queriedTables answers 403 otherwise). */
  enterprise(enabled = true): this {
    this.#enterprise = enabled;
    return this;
  }

  // ---- faults --------------------------------------------------------------------------------------------

  /** At most `requests` per token per window; past it 429 `{reason}` with Retry-After. Undefined removes it. */
  rateLimit(options: FakeHexRateLimitOptions | undefined): this {
    this.#rateLimit = options;
    this.#hits.clear();
    return this;
  }

  /**
   * Answers `count` requests (to `path`, a concrete path, when given) with `status`, after letting `skip` of them
   * through (e.g. fail the third page of a listing). Retry-After and other headers can be given.
   */
  fail(
    count: number,
    status: number,
    options: { path?: string; skip?: number; headers?: Record<string, string> } = {},
  ): this {
    this.#faults.push({
      remaining: count,
      skip: options.skip ?? 0,
      status,
      path: options.path,
      headers: options.headers ?? {},
    });
    return this;
  }

  /** Slows answers down (see FakeUpstream.delay); `delay(0)` removes every delay. */
  delay(ms: number, options: FakeDelayOptions = {}): this {
    this.upstream.delay(ms, options);
    return this;
  }

  /** Requests to a path (without query string), all methods. */
  requestsTo(path: string): FakeHexRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Forgets the request log, the rate-limit window, faults and delays; keeps the scenario. */
  resetRequests(): void {
    this.requests.length = 0;
    this.tooManyRequests = 0;
    this.#hits.clear();
    this.#faults = [];
    this.upstream.reset();
  }

  // ---- routes --------------------------------------------------------------------------------------------

  #routes(): void {
    this.#get(`${API}/projects`, 'projects', (request, token) => this.#listProjects(request, token));
    this.#get(`${API}/projects/:id`, 'projects', (request, token) => {
      const project = this.#projects.get(request.params.id!);
      if (!project || !this.#visible(project, token)) {
        throw new HexError(404, `Project ${request.params.id} not found`);
      }
      return this.#projectJson(project, bool(request.searchParams.get('includeSharing')));
    });
    this.#get(`${API}/projects/:id/queriedTables`, 'queried-tables', (request, token) => {
      if (!this.#enterprise) {
        throw new HexError(403, 'This endpoint requires the workspace to be at least ENTERPRISE tier.');
      }
      const project = this.#projects.get(request.params.id!);
      if (!project || !this.#visible(project, token)) {
        throw new HexError(404, `Project ${request.params.id} not found`);
      }
      const values = (project.queriedTables ?? []).map((table) => ({
        dataConnectionId: table.dataConnectionId,
        dataConnectionName: this.#dataConnections.get(table.dataConnectionId)?.name ?? null,
        tableName: table.tableName,
      }));
      return { values, pagination: { after: null, before: null } };
    });
    this.#get(`${API}/users/me`, 'users', (_request, token) => {
      const email = token.user;
      const user = email ? [...this.#users.values()].find((candidate) => candidate.email === email) : null;
      return {
        id: user?.id ?? null,
        name: user?.name ?? null,
        email: email ?? null,
        org: { id: this.orgId },
      };
    });
    this.#get(`${API}/users`, 'users', (request) =>
      this.#idPage(
        request,
        [...this.#users.values()].sort((left, right) => left.email.localeCompare(right.email)),
      ),
    );
    this.#get(`${API}/collections`, 'collections', (request) =>
      this.#idPage(
        request,
        [...this.#collections.values()]
          .sort((left, right) => left.name.localeCompare(right.name))
          .map((collection) => ({
            ...collection,
            creator: null,
            sharing: { workspace: { members: 'NONE' } },
          })),
      ),
    );
    this.#get(`${API}/data-connections`, 'data-connections', (request) =>
      this.#idPage(
        request,
        [...this.#dataConnections.values()].map((connection) => ({
          id: connection.id,
          name: connection.name,
          type: connection.type,
          description: null,
          connectViaSsh: false,
          includeMagic: true,
          allowWritebackCells: false,
          connectionDetails: { [connection.type]: connection.connectionDetails },
          sharing: { workspace: { public: 'NONE', guests: 'NONE', members: 'CAN_VIEW' }, groups: [] },
        })),
      ),
    );
  }

  /** Authentication, scope, rate limit, then the handler; every answer is logged. */
  #get(
    pattern: string,
    scope: FakeHexScope,
    handler: (request: FakeRequest, token: FakeHexTokenOptions) => unknown,
  ): void {
    this.upstream.route('GET', pattern, (request) => {
      const response = this.#answer(request, scope, handler);
      this.requests.push({
        method: request.method,
        path: request.path,
        searchParams: request.searchParams,
        token: tokenOf(request),
        status: response.status,
        receivedAt: request.receivedAt,
      });
      return response;
    });
  }

  #answer(
    request: FakeRequest,
    scope: FakeHexScope,
    handler: (request: FakeRequest, token: FakeHexTokenOptions) => unknown,
  ): FakeResponse {
    const error = (status: number, reason: string, headers: Record<string, string> = {}) =>
      reply.json({ reason, traceId: randomUUID().replace(/-/g, '') }, status, headers);
    const bearer = tokenOf(request);
    const token = bearer ? this.#tokens.get(bearer) : undefined;
    if (!bearer || !token) return error(401, 'Invalid or expired token');
    if (this.#rateLimit) {
      const now = Date.now();
      const windowMs = this.#rateLimit.windowMs ?? 60_000;
      const hits = (this.#hits.get(bearer) ?? []).filter((hit) => hit > now - windowMs);
      this.#hits.set(bearer, hits);
      if (hits.length >= this.#rateLimit.requests) {
        this.tooManyRequests += 1;
        const seconds = Math.max(1, Math.ceil((hits[0]! + windowMs - now) / 1000));
        return error(
          429,
          'Rate limit exceeded',
          this.#rateLimit.retryAfter === false ? {} : { 'retry-after': String(seconds) },
        );
      }
      hits.push(now);
    }
    const fault = this.#faults.find((entry) => !entry.path || entry.path === request.path);
    if (fault) {
      if (fault.skip > 0) {
        fault.skip -= 1;
      } else {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.#faults.splice(this.#faults.indexOf(fault), 1);
        return error(
          fault.status,
          fault.status >= 500 ? 'Internal server error' : `HTTP ${fault.status}`,
          fault.headers,
        );
      }
    }
    if (!(token.scopes ?? ALL_HEX_SCOPES).includes(scope)) {
      return error(403, `This token does not have the ${scope} scope`);
    }
    try {
      return reply.json(handler(request, token));
    } catch (caught) {
      if (caught instanceof HexError) return error(caught.status, caught.message);
      throw caught;
    }
  }

  #visible(project: ProjectState, token: FakeHexTokenOptions): boolean {
    if (!token.user) return true;
    const creator = project.creatorEmail ?? null;
    const owner = project.ownerEmail ?? creator;
    return (
      creator === token.user ||
      owner === token.user ||
      (project.sharedWith ?? []).includes(token.user) ||
      (project.workspaceAccess ?? 'NONE') !== 'NONE'
    );
  }

  #listProjects(request: FakeRequest, token: FakeHexTokenOptions): unknown {
    const parameters = request.searchParams;
    const limitText = parameters.get('limit');
    const limit = limitText === null ? 25 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw new HexError(400, `limit must be an integer from 1 to 100, got ${limitText}`);
    }
    const sortBy = (parameters.get('sortBy') ?? 'CREATED_AT') as SortBy;
    if (!SORTS.includes(sortBy)) throw new HexError(400, `sortBy must be one of ${SORTS.join(', ')}`);
    const direction = parameters.get('sortDirection') ?? 'DESC';
    if (direction !== 'ASC' && direction !== 'DESC')
      throw new HexError(400, 'sortDirection must be ASC or DESC');
    const statuses = parameters.getAll('statuses');
    const categories = parameters.getAll('categories');
    const creatorEmail = parameters.get('creatorEmail');
    const ownerEmail = parameters.get('ownerEmail');
    const collectionId = parameters.get('collectionId');
    const collectionName = collectionId ? this.#collections.get(collectionId)?.name : undefined;
    if (collectionId && collectionName === undefined) {
      throw new HexError(404, `Collection ${collectionId} not found`);
    }

    const sortField = (project: ProjectState) =>
      sortBy === 'CREATED_AT'
        ? project.createdAt
        : sortBy === 'LAST_EDITED_AT'
          ? project.lastEditedAt
          : project.lastPublishedAt;
    const sortValue = (project: ProjectState): string => iso(sortField(project)) ?? '';
    const sign = direction === 'ASC' ? 1 : -1;
    const compareKeys = (leftTime: number, leftId: string, rightTime: number, rightId: string): number =>
      sign * (leftTime - rightTime || (leftId < rightId ? -1 : leftId > rightId ? 1 : 0));

    // Sort keys are read once per project, not once per comparison: listings of 10,000 stay cheap.
    const keyed = [...this.#projects.values()]
      .filter((project) => this.#visible(project, token))
      .filter(
        (project) => (project.type ?? 'PROJECT') === 'PROJECT' || bool(parameters.get('includeComponents')),
      )
      .filter((project) => !project.archivedAt || bool(parameters.get('includeArchived')))
      .filter((project) => !project.trashedAt || bool(parameters.get('includeTrashed')))
      .filter(
        (project) => statuses.length === 0 || (project.status != null && statuses.includes(project.status)),
      )
      .filter(
        (project) =>
          categories.length === 0 || (project.categories ?? []).some((name) => categories.includes(name)),
      )
      .filter((project) => !creatorEmail || project.creatorEmail === creatorEmail)
      .filter((project) => !ownerEmail || (project.ownerEmail ?? project.creatorEmail) === ownerEmail)
      .filter(
        (project) => collectionName === undefined || (project.collections ?? []).includes(collectionName),
      )
      .map((project) => ({ project, time: time(sortField(project)) }))
      .sort((left, right) => compareKeys(left.time, left.project.id, right.time, right.project.id));

    const parse = (name: string): [number, string] | null => {
      const value = parameters.get(name);
      if (!value) return null;
      const decoded = decodeHexCursor(value);
      if (!decoded) throw new HexError(400, `Invalid ${name} cursor`);
      return [decoded[0] === '' ? Number.NEGATIVE_INFINITY : new Date(decoded[0]).getTime(), decoded[1]];
    };
    const after = parse('after');
    const before = parse('before');
    let page: ProjectState[];
    let hasMoreAfter: boolean;
    if (before) {
      const earlier = keyed.filter(
        (entry) => compareKeys(entry.time, entry.project.id, before[0], before[1]) < 0,
      );
      page = earlier.slice(Math.max(0, earlier.length - limit)).map((entry) => entry.project);
      hasMoreAfter = true;
    } else {
      const later = after
        ? keyed.filter((entry) => compareKeys(entry.time, entry.project.id, after[0], after[1]) > 0)
        : keyed;
      page = later.slice(0, limit).map((entry) => entry.project);
      hasMoreAfter = later.length > limit;
    }
    const first = page[0];
    const last = page.at(-1);
    const includeSharing = bool(parameters.get('includeSharing'));
    return {
      values: page.map((project) => this.#projectJson(project, includeSharing)),
      pagination: {
        after: hasMoreAfter && last ? encodeHexCursor(sortValue(last), last.id) : null,
        before: first ? encodeHexCursor(sortValue(first), first.id) : null,
      },
    };
  }

  /** Users, collections and data connections: `values` + `pagination`, paged by an id cursor. */
  #idPage<T extends { id: string }>(request: FakeRequest, items: readonly T[]): unknown {
    const limitText = request.searchParams.get('limit');
    const limit = limitText === null ? 25 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
      throw new HexError(400, `limit must be an integer from 1 to 500, got ${limitText}`);
    }
    const after = request.searchParams.get('after');
    let start = 0;
    if (after) {
      const decoded = decodeHexCursor(after);
      if (!decoded) throw new HexError(400, 'Invalid after cursor');
      start = items.findIndex((item) => item.id === decoded[1]) + 1;
    }
    const page = items.slice(start, start + limit);
    const last = page.at(-1);
    const first = page[0];
    return {
      values: page,
      pagination: {
        after: start + limit < items.length && last ? encodeHexCursor(last.id, last.id) : null,
        before: first ? encodeHexCursor(first.id, first.id) : null,
      },
    };
  }

  #projectJson(project: ProjectState, includeSharing: boolean): Record<string, unknown> {
    const creator = project.creatorEmail ?? 'creator@example.com';
    const views = project.appViews ?? {};
    const json: Record<string, unknown> = {
      id: project.id,
      title: project.title,
      description: project.description ?? null,
      type: project.type ?? 'PROJECT',
      creator: { email: creator },
      owner: { email: project.ownerEmail ?? creator },
      status: project.status ? { name: project.status } : null,
      categories: (project.categories ?? []).map((name) => ({ name, description: null })),
      reviews: { required: false },
      analytics: {
        appViews: {
          allTime: views.allTime ?? 0,
          lastSevenDays: views.lastSevenDays ?? 0,
          lastFourteenDays: views.lastFourteenDays ?? 0,
          lastThirtyDays: views.lastThirtyDays ?? 0,
        },
        lastViewedAt: iso(project.lastViewedAt),
        publishedResultsUpdatedAt: iso(project.lastPublishedAt),
      },
      lastEditedAt: iso(project.lastEditedAt),
      lastPublishedAt: iso(project.lastPublishedAt),
      createdAt: iso(project.createdAt),
      archivedAt: iso(project.archivedAt),
      trashedAt: iso(project.trashedAt),
      schedules: (project.schedules ?? []).map(scheduleJson),
    };
    if (includeSharing) {
      json.sharing = {
        users: [
          { user: { email: project.ownerEmail ?? creator }, access: 'FULL_ACCESS' },
          ...(project.sharedWith ?? []).map((email) => ({ user: { email }, access: 'CAN_VIEW' })),
        ],
        collections: (project.collections ?? []).map((name) => ({
          collection: { name },
          access: 'CAN_VIEW',
        })),
        groups: [],
        workspace: { access: project.workspaceAccess ?? 'NONE' },
        publicWeb: { access: 'NONE' },
        support: { access: 'NONE' },
      };
    }
    return json;
  }
}

function scheduleJson(schedule: FakeHexScheduleOptions): Record<string, unknown> {
  const base = { timezone: schedule.timezone ?? '+00:00', minute: schedule.minute ?? 0 };
  const detail: Record<string, unknown> = {
    hourly: null,
    daily: null,
    weekly: null,
    monthly: null,
    custom: null,
  };
  switch (schedule.cadence) {
    case 'HOURLY':
      detail.hourly = base;
      break;
    case 'DAILY':
      detail.daily = { ...base, hour: schedule.hour ?? 0 };
      break;
    case 'WEEKLY':
      detail.weekly = { ...base, hour: schedule.hour ?? 0, dayOfWeek: schedule.dayOfWeek ?? 'MONDAY' };
      break;
    case 'MONTHLY':
      detail.monthly = { ...base, hour: schedule.hour ?? 0, day: schedule.day ?? 1 };
      break;
    case 'CUSTOM':
      detail.custom = { timezone: base.timezone, cron: schedule.cron ?? '0 * * * *' };
      break;
  }
  return { cadence: schedule.cadence, enabled: schedule.enabled ?? true, ...detail };
}

function tokenOf(request: FakeRequest): string | undefined {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer (.+)$/.exec(header) : null;
  return match?.[1];
}
