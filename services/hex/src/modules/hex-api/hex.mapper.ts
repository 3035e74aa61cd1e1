// The only file that knows Hex's field names (DESIGN §1): API JSON → our records. Pure; tolerant of missing
// optional fields, strict about the ones a project cannot do without (id, title).

export interface HexAppViews {
  allTime: number;
  lastSevenDays: number;
  lastFourteenDays: number;
  lastThirtyDays: number;
}

export interface HexSchedule {
  cadence: string;
  enabled: boolean;
  /** The cadence's own settings (timezone, minute, hour, dayOfWeek, day, cron). */
  settings: Record<string, unknown> | null;
}

export interface HexProjectRecord {
  id: string;
  title: string;
  description: string | null;
  /** PROJECT or COMPONENT. */
  type: string;
  creatorEmail: string | null;
  ownerEmail: string | null;
  status: string | null;
  categories: string[];
  /** Collection names; only present when listed with includeSharing. */
  collections: string[];
  createdAt: Date | null;
  lastEditedAt: Date | null;
  lastPublishedAt: Date | null;
  archivedAt: Date | null;
  trashedAt: Date | null;
  appViews: HexAppViews;
  lastViewedAt: Date | null;
  schedules: HexSchedule[];
}

export interface HexUserRecord {
  id: string;
  name: string | null;
  email: string;
  role: string | null;
}

export interface HexCollectionRecord {
  id: string;
  name: string;
}

export interface HexDataConnectionRecord {
  id: string;
  name: string;
  type: string;
}

export interface HexPage<T> {
  values: T[];
  after: string | null;
}

type Json = Record<string, unknown>;

export class HexResponseError extends Error {
  override readonly name = 'HexResponseError';
}

function object(value: unknown): Json | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.trunc(value)) : 0;
}

/** Hex timestamps come with milliseconds (`…09.567Z`) and, in older data, without (`…09Z`); both are read. */
export function parseHexTimestamp(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `{values, pagination: {after}}`, the shape of every Hex list. */
export function readPage(body: unknown, what: string): { values: unknown[]; after: string | null } {
  const page = object(body);
  if (!page || !Array.isArray(page.values)) {
    throw new HexResponseError(`Hex answered the ${what} listing without a "values" list`);
  }
  const pagination = object(page.pagination);
  return { values: page.values, after: text(pagination?.after) };
}

export function mapProject(value: unknown): HexProjectRecord {
  const project = object(value);
  const id = text(project?.id);
  if (!project || !id) throw new HexResponseError('Hex listed a project without an id');
  const analytics = object(project.analytics);
  const views = object(analytics?.appViews);
  const sharing = object(project.sharing);
  const collections = Array.isArray(sharing?.collections)
    ? sharing.collections
        .map((entry) => text(object(object(entry)?.collection)?.name))
        .filter((name): name is string => name !== null)
    : [];
  const categories = Array.isArray(project.categories)
    ? project.categories
        .map((entry) => text(object(entry)?.name))
        .filter((name): name is string => name !== null)
    : [];
  return {
    id,
    title: typeof project.title === 'string' ? project.title : id,
    description: typeof project.description === 'string' ? project.description.trim() || null : null,
    type: text(project.type) ?? 'PROJECT',
    creatorEmail: text(object(project.creator)?.email),
    ownerEmail: text(object(project.owner)?.email),
    status: text(object(project.status)?.name),
    categories: [...new Set(categories)],
    collections: [...new Set(collections)],
    createdAt: parseHexTimestamp(project.createdAt),
    lastEditedAt: parseHexTimestamp(project.lastEditedAt),
    lastPublishedAt: parseHexTimestamp(project.lastPublishedAt),
    archivedAt: parseHexTimestamp(project.archivedAt),
    trashedAt: parseHexTimestamp(project.trashedAt),
    appViews: {
      allTime: count(views?.allTime),
      lastSevenDays: count(views?.lastSevenDays),
      lastFourteenDays: count(views?.lastFourteenDays),
      lastThirtyDays: count(views?.lastThirtyDays),
    },
    lastViewedAt: parseHexTimestamp(analytics?.lastViewedAt),
    schedules: Array.isArray(project.schedules) ? project.schedules.map(mapSchedule) : [],
  };
}

function mapSchedule(value: unknown): HexSchedule {
  const schedule = object(value) ?? {};
  const cadence = text(schedule.cadence) ?? 'CUSTOM';
  return {
    cadence,
    enabled: schedule.enabled === true,
    settings: object(schedule[cadence.toLowerCase()]),
  };
}

export function mapUser(value: unknown): HexUserRecord | null {
  const user = object(value);
  const id = text(user?.id);
  const email = text(user?.email);
  if (!user || !id || !email) return null;
  return { id, name: text(user.name), email, role: text(user.role) };
}

export function mapCollection(value: unknown): HexCollectionRecord | null {
  const collection = object(value);
  const id = text(collection?.id);
  const name = text(collection?.name);
  return id && name ? { id, name } : null;
}

export function mapDataConnection(value: unknown): HexDataConnectionRecord | null {
  const connection = object(value);
  const id = text(connection?.id);
  if (!id) return null;
  return {
    id,
    name: text(connection?.name) ?? id,
    type: (text(connection?.type) ?? 'unknown').toLowerCase(),
  };
}

/** Hex's error body: `{reason, details?, traceId?}`. */
export function readHexReason(excerpt: string | undefined): string | null {
  if (!excerpt) return null;
  try {
    const body = object(JSON.parse(excerpt));
    return text(body?.reason) ?? text(body?.message);
  } catch {
    return null;
  }
}
