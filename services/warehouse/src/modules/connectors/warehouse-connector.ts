import type { Platform } from '@cartograph/catalog-model';
import type { z } from 'zod';

// One connector shape for every warehouse (DESIGN §6): discover (crawl, paged) → fetch (history, with retries
// and rate limits) → normalize (pure mappers into the records below) → apply (the sync service, one
// transaction). A connector never touches our database; it only talks to its warehouse.

/** Prefixed to every statement a connector sends, so history readers can skip our own queries. */
export const OWN_QUERY_MARKER = '/* {"app":"cartograph"} */';

/** What a connection check found; `ok` only when the warehouse is reachable and every check passed. */
export interface ConnectionCheck {
  readonly ok: boolean;
  readonly checks: readonly ConnectionCheckItem[];
}

export interface ConnectionCheckItem {
  /** `reach`, `schema-read`, `history-read`, … */
  readonly name: string;
  readonly ok: boolean;
  /** Why it failed, without secrets. */
  readonly message?: string;
  /** The grant or setting that would fix it, e.g. `GRANT IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE TO ROLE …`. */
  readonly fix?: string;
}

/** Which databases and schemas a connection covers; names as the warehouse stores them. */
export interface NameFilter {
  accepts(database: string, schema?: string): boolean;
}

export interface CrawledColumn {
  readonly name: string;
  /** The warehouse's own type text, e.g. `NUMBER(38,0)`, `character varying(255)`. */
  readonly type: string;
  readonly position: number;
  readonly nullable?: boolean;
  /** Column comment; dbt `persist_docs` descriptions land here. */
  readonly comment?: string | null;
}

export type CrawledTableKind = 'table' | 'view' | 'materialized_view' | 'external' | 'temporary' | 'other';

/** One table or view, names as the warehouse stores them (they become dataset ids with `quoted: true`). */
export interface CrawledTable {
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  readonly kind: CrawledTableKind;
  readonly comment?: string | null;
  readonly columns: readonly CrawledColumn[];
  readonly rowCount?: number | null;
  readonly bytes?: number | null;
  /** A view's SELECT, for lineage of views nobody has queried yet. */
  readonly viewDefinition?: string | null;
  readonly createdAt?: Date | null;
  readonly alteredAt?: Date | null;
}

/** A table the engine itself says a query read or wrote, as `db.schema.table` parts it stores. */
export interface EngineTable {
  readonly database?: string | null;
  readonly schema?: string | null;
  readonly name: string;
}

/**
 * One executed statement from query history. Records come in ascending `startedAt` (ties in any order), so
 * the last one read is the next watermark. Only successful statements; our own (OWN_QUERY_MARKER) excluded.
 */
export interface HistoryRecord {
  /** The engine's id (Snowflake QUERY_ID, BigQuery job id, …); with the connection it makes a row unique. */
  readonly queryId: string;
  readonly text: string;
  readonly startedAt: Date;
  readonly endedAt?: Date | null;
  readonly durationMs?: number | null;
  readonly user?: string | null;
  readonly role?: string | null;
  readonly sessionId?: string | null;
  /** Session defaults for names with fewer parts (Snowflake DATABASE_NAME/SCHEMA_NAME, BigQuery project…). */
  readonly defaultDatabase?: string | null;
  readonly defaultSchema?: string | null;
  /** The engine's statement type, upper-case as it reports it (`INSERT`, `CREATE_TABLE_AS_SELECT`…). */
  readonly statementType?: string | null;
  /** The engine's literal-insensitive hash when it has one (QUERY_PARAMETERIZED_HASH, normalized_literals…). */
  readonly engineFingerprint?: string | null;
  /** Tables the engine reports the statement read and wrote; when present, lineage uses it over parsing. */
  readonly engineLineage?: {
    readonly sources: readonly EngineTable[];
    readonly targets: readonly EngineTable[];
  } | null;
  /** The warehouse cut the text (Redshift 4,000-char querytxt, Databricks compressed text…). */
  readonly textTruncated?: boolean;
  readonly rowsProduced?: number | null;
  /** Query tag, labels, client application, log comment… */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Aggregated sources only (pg_stat_statements, MySQL statement digests): the cumulative number of executions
   * since the statistics were reset. `queryId` is then stable across reads (e.g. `<dbid>:<userid>:<queryid>`)
   * and `startedAt` is the time of reading; the sync counts only the increase since the previous read.
   */
  readonly calls?: number;
}

export interface HistoryWindow {
  /** Read statements that started at or after this time (the stored watermark minus the overlap). */
  readonly since: Date;
  /** …and before this one (now minus the source's latency). */
  readonly until: Date;
  /** Stop after this many records; the caller resumes from the last `startedAt`. */
  readonly limit?: number;
}

export interface ConnectorContext<Settings, Credentials> {
  readonly settings: Settings;
  readonly credentials: Credentials;
  /** Per-request timeout. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

export interface WarehouseConnector {
  check(): Promise<ConnectionCheck>;
  crawl(filter: NameFilter): AsyncIterable<CrawledTable>;
  readHistory(window: HistoryWindow): AsyncIterable<HistoryRecord>;
  close(): Promise<void>;
}

/** One per platform; the connection service validates input with the schemas and creates connectors. */
export interface WarehouseConnectorDefinition<Settings = unknown, Credentials = unknown> {
  readonly platform: Platform;
  /** Non-secret settings (host, account, region, warehouse id…); errors name the field. */
  readonly settingsSchema: z.ZodType<Settings>;
  /** Secrets (password, token, private key…); stored encrypted, never returned. */
  readonly credentialsSchema: z.ZodType<Credentials>;
  /** The instance for dataset ids (DESIGN §3): account, host:port, project… */
  instanceOf(settings: Settings): string;
  create(context: ConnectorContext<Settings, Credentials>): WarehouseConnector;
}

/**
 * Errors a connector throws. `auth`: the credential was refused or expired (the connection is marked failed
 * with this message); `permission`: a grant is missing (`fix` says which); `unavailable`: network, 5xx,
 * timeouts after retries; `rate_limited`: 429 after retries; `invalid`: the warehouse rejected our SQL.
 * Messages never contain secrets.
 */
export class WarehouseError extends Error {
  constructor(
    readonly kind: 'auth' | 'permission' | 'unavailable' | 'rate_limited' | 'invalid',
    message: string,
    readonly fix?: string,
  ) {
    super(message);
    this.name = 'WarehouseError';
  }
}
