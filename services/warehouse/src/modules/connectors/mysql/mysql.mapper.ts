import { redactSecrets } from '@cartograph/platform/http';
import {
  OWN_QUERY_MARKER,
  WarehouseError,
  type ConnectionCheckItem,
  type CrawledTable,
  type CrawledTableKind,
  type HistoryRecord,
} from '../warehouse-connector.js';

// Pure: information_schema rows → CrawledTable, mysql.general_log rows → HistoryRecord (with the default
// database of each session rebuilt from the log), probe results → check items, driver errors → WarehouseError.

export type MysqlPlatform = 'mysql' | 'mariadb';

/** Databases the server keeps for itself; never crawled. */
const systemDatabases = new Set(['mysql', 'sys', 'performance_schema', 'information_schema']);

export function isSystemDatabase(database: string): boolean {
  return systemDatabases.has(database.toLowerCase());
}

/** MariaDB says so in VERSION() (`10.11.6-MariaDB-0+deb12u1`); MySQL and its forks do not. */
export function platformOfVersion(version: string): MysqlPlatform {
  return /mariadb/i.test(version) ? 'mariadb' : 'mysql';
}

const toNumber = (value: number | string | null | undefined): number | null => {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
};

const toDate = (value: Date | string | null | undefined): Date | null => {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

/** One information_schema.TABLES row (lower-case aliases). */
export interface MysqlTableRow {
  readonly table_schema: string;
  readonly table_name: string;
  readonly table_type: string;
  readonly table_rows: number | string | null;
  readonly data_length: number | string | null;
  readonly index_length: number | string | null;
  readonly table_comment: string | null;
  readonly create_time: Date | string | null;
  readonly update_time: Date | string | null;
}

/** One information_schema.COLUMNS row (lower-case aliases). */
export interface MysqlColumnRow {
  readonly table_name: string;
  readonly column_name: string;
  readonly column_type: string;
  readonly ordinal_position: number | string;
  readonly is_nullable: string;
  readonly column_comment: string | null;
}

export function tableKindOf(tableType: string): CrawledTableKind | null {
  switch (tableType.toUpperCase()) {
    case 'BASE TABLE':
    case 'SYSTEM VERSIONED':
      return 'table';
    case 'VIEW':
      return 'view';
    case 'TEMPORARY':
    case 'LOCAL TEMPORARY':
      return 'temporary';
    case 'SEQUENCE':
      return 'other';
    default:
      // SYSTEM VIEW: information_schema's own.
      return null;
  }
}

/**
 * A table or view. The server has one namespace level, so `database` and `schema` both carry the MySQL
 * database, as the 2-level dataset ids of catalog-model expect. TABLE_ROWS is exact for MyISAM and an
 * estimate for InnoDB; views have neither rows nor bytes, and their TABLE_COMMENT is the word `VIEW`.
 */
export function mapMysqlTable(
  table: MysqlTableRow,
  columns: readonly MysqlColumnRow[],
  viewDefinition: string | null | undefined,
): CrawledTable | null {
  const kind = tableKindOf(table.table_type);
  if (!kind) return null;
  const isView = kind === 'view';
  const comment = table.table_comment?.trim() ?? '';
  const dataLength = toNumber(table.data_length);
  const indexLength = toNumber(table.index_length);
  return {
    database: table.table_schema,
    schema: table.table_schema,
    name: table.table_name,
    kind,
    comment: comment === '' || (isView && comment === 'VIEW') ? null : comment,
    columns: [...columns]
      .sort((left, right) => Number(left.ordinal_position) - Number(right.ordinal_position))
      .map((column) => ({
        name: column.column_name,
        type: column.column_type,
        position: Number(column.ordinal_position),
        nullable: column.is_nullable.toUpperCase() === 'YES',
        comment:
          column.column_comment === null || column.column_comment === '' ? null : column.column_comment,
      })),
    rowCount: isView ? null : toNumber(table.table_rows),
    bytes: isView || dataLength === null ? null : dataLength + (indexLength ?? 0),
    // Without SHOW VIEW on the view, VIEW_DEFINITION is empty: unknown, not an empty query.
    viewDefinition: isView && viewDefinition ? viewDefinition : null,
    createdAt: toDate(table.create_time),
    alteredAt: toDate(table.update_time),
  };
}

/** One mysql.general_log row; `event_time` is formatted by the query as UTC with microseconds. */
export interface GeneralLogRow {
  readonly event_time: string;
  readonly user_host: string | Buffer;
  readonly thread_id: number | string;
  readonly server_id: number | string;
  readonly command_type: string;
  /** MEDIUMBLOB on MySQL (a Buffer), MEDIUMTEXT on MariaDB. */
  readonly argument: string | Buffer | null;
}

/** Command types that carry a statement; `Execute` holds a prepared statement with its parameters bound. */
export const STATEMENT_COMMANDS = ['Query', 'Execute'] as const;
/** Command types that set a session's default database. */
export const SESSION_COMMANDS = ['Connect', 'Change user', 'Init DB'] as const;

export function textOf(value: string | Buffer | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.toString('utf8');
}

/** `2026-03-01 10:00:00.123456` (UTC) → Date, to the millisecond. */
export function eventTimeToDate(eventTime: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?/.exec(eventTime.trim());
  if (!match) throw new Error(`Unexpected general_log event_time: ${JSON.stringify(eventTime)}`);
  const milliseconds = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  return new Date(`${match[1]}T${match[2]}.${milliseconds}Z`);
}

/** A Date as a TIMESTAMP literal value for a session whose time_zone is '+00:00'. */
export function toMysqlTimestamp(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** `app[app] @ host [10.0.0.1]` → `app`; Connect rows leave the first name empty (`[app] @ …`). */
export function userOfUserHost(userHost: string): string | null {
  const match = /^\s*([^[@\s]*)\s*(?:\[([^\]]*)\])?/.exec(userHost);
  const user = match?.[1] || match?.[2] || '';
  return user === '' ? null : user;
}

/**
 * The database of a Connect or Change user row: `app@10.0.0.1 on shop using TCP/IP` → `shop`; `on  using`
 * (none chosen) → null. undefined when the argument is not in that shape (a refused login).
 */
export function databaseOfConnect(argument: string): string | null | undefined {
  const match = /\son (.*?)(?: using \S.*)?$/s.exec(argument);
  if (!match) return undefined;
  const database = match[1]!.trim();
  return database === '' ? null : database;
}

/** Skips whitespace and `#`, `-- `, and block comments (MySQL does not nest them) at the start. */
export function withoutLeadingComments(text: string): string {
  let index = 0;
  for (;;) {
    while (index < text.length && /\s/.test(text[index]!)) index += 1;
    if (text[index] === '#' || /^--(\s|$)/.test(text.slice(index, index + 3))) {
      const end = text.indexOf('\n', index);
      if (end < 0) return '';
      index = end + 1;
    } else if (text.startsWith('/*', index)) {
      const end = text.indexOf('*/', index + 2);
      if (end < 0) return '';
      index = end + 2;
    } else {
      return text.slice(index);
    }
  }
}

function unquoteIdentifier(identifier: string): string {
  const quote = identifier[0];
  if ((quote === '`' || quote === '"') && identifier.endsWith(quote) && identifier.length >= 2) {
    return identifier.slice(1, -1).replaceAll(`${quote}${quote}`, quote);
  }
  return identifier;
}

/** `USE shop`, ``use `my db`;`` → the database; null for any other statement. */
export function databaseOfUse(text: string): string | null {
  const match = /^use(?:\s+|(?=[`"]))(`(?:[^`]|``)+`|"(?:[^"]|"")+"|[^\s;`"]+)\s*;?\s*$/i.exec(
    withoutLeadingComments(text),
  );
  return match ? unquoteIdentifier(match[1]!) : null;
}

/** First words of statements that carry no lineage: sessions, transactions, administration, introspection. */
const noiseKeywords = new Set([
  'ANALYZE',
  'BEGIN',
  'CHECK',
  'CHECKSUM',
  'COMMIT',
  'DEALLOCATE',
  'DESC',
  'DESCRIBE',
  'DO',
  'EXPLAIN',
  'FLUSH',
  'GRANT',
  'HANDLER',
  'HELP',
  'KILL',
  'LOCK',
  'OPTIMIZE',
  'PREPARE',
  'PURGE',
  'RELEASE',
  'REPAIR',
  'RESET',
  'REVOKE',
  'ROLLBACK',
  'SAVEPOINT',
  'SET',
  'SHOW',
  'START',
  'UNLOCK',
  'USE',
  'XA',
]);

/** `SELECT @@version`, `SELECT DATABASE()`, `SELECT 1`: what drivers and consoles send on their own. */
const selectWithoutTables =
  /^select\s+(?:@@|database\s*\(\s*\)|schema\s*\(\s*\)|version\s*\(\s*\)|(?:current_)?user\s*\(\s*\)|connection_id\s*\(\s*\)|last_insert_id\s*\(|found_rows\s*\(|row_count\s*\(|\d+\s*(?:;\s*)?$)/i;

export function isNoiseStatement(text: string): boolean {
  const statement = withoutLeadingComments(text);
  const keyword = /^[a-z_]+/i.exec(statement)?.[0]?.toUpperCase();
  if (keyword === undefined) return true;
  return noiseKeywords.has(keyword) || (keyword === 'SELECT' && selectWithoutTables.test(statement));
}

/** The default database of each session (general_log thread), as far as the log has shown it. */
export class SessionDefaults {
  private readonly byThread = new Map<string, string | null>();

  knows(thread: string): boolean {
    return this.byThread.has(thread);
  }

  get(thread: string): string | null {
    return this.byThread.get(thread) ?? null;
  }

  set(thread: string, database: string | null): void {
    this.byThread.set(thread, database);
  }

  /** Applies a row that may change its session's default database; true when it did. */
  apply(row: GeneralLogRow): boolean {
    const thread = String(row.thread_id);
    const argument = textOf(row.argument);
    switch (row.command_type) {
      case 'Connect':
      case 'Change user': {
        const database = databaseOfConnect(argument);
        this.set(thread, database ?? null);
        return true;
      }
      case 'Init DB':
        this.set(thread, argument.trim() === '' ? null : argument.trim());
        return true;
      case 'Query': {
        const database = databaseOfUse(argument);
        if (database === null) return false;
        this.set(thread, database);
        return true;
      }
      default:
        return false;
    }
  }
}

/**
 * Turns general_log rows, read in event_time order, into history records. The log has no per-row default
 * database, so it is rebuilt per thread from Connect/Change user (`… on <db> using …`), Init DB and `USE`
 * rows; a thread first seen mid-session is seeded by the caller (SessionDefaults.set) from an earlier read.
 *
 * `queryId` = `<server_id>:<thread_id>:<event_time in UTC with microseconds>:<n>`, n counting the statements
 * of that thread at that exact microsecond (0 almost always). A window boundary never splits one
 * microsecond, so the same row gets the same id in every read that contains it.
 */
export class GeneralLogMapper {
  private currentTime = '';
  private readonly seenAtCurrentTime = new Map<string, number>();

  constructor(readonly defaults: SessionDefaults = new SessionDefaults()) {}

  map(row: GeneralLogRow): HistoryRecord | null {
    if (this.defaults.apply(row) || !(STATEMENT_COMMANDS as readonly string[]).includes(row.command_type)) {
      return null;
    }
    const thread = String(row.thread_id);
    const ordinal = this.ordinalOf(row.event_time, thread);
    const text = textOf(row.argument);
    if (text.trimStart().startsWith(OWN_QUERY_MARKER) || isNoiseStatement(text)) return null;
    const database = this.defaults.get(thread);
    const microsecondTime = row.event_time.trim().replace(' ', 'T');
    return {
      queryId: `${row.server_id}:${thread}:${microsecondTime}Z:${ordinal}`,
      text,
      startedAt: eventTimeToDate(row.event_time),
      user: userOfUserHost(textOf(row.user_host)),
      sessionId: thread,
      defaultDatabase: database,
      defaultSchema: database,
    };
  }

  private ordinalOf(eventTime: string, thread: string): number {
    if (eventTime !== this.currentTime) {
      this.currentTime = eventTime;
      this.seenAtCurrentTime.clear();
    }
    const ordinal = this.seenAtCurrentTime.get(thread) ?? 0;
    this.seenAtCurrentTime.set(thread, ordinal + 1);
    return ordinal;
  }
}

/** `app@%` (CURRENT_USER()) → `'app'@'%'`, the account as GRANT wants it. */
export function quoteAccount(account: string): string {
  const at = account.lastIndexOf('@');
  const user = at < 0 ? account : account.slice(0, at);
  const host = at < 0 ? '%' : account.slice(at + 1);
  const quote = (part: string) => `'${part.replaceAll("'", "''")}'`;
  return `${quote(user)}@${quote(host)}`;
}

/** What `check()` found out about reading mysql.general_log. */
export interface MysqlHistoryProbe {
  /** CURRENT_USER(), `user@host`. */
  readonly account: string;
  readonly generalLog: boolean;
  /** @@GLOBAL.log_output, e.g. `FILE`, `TABLE`, `FILE,TABLE`, `NONE`. */
  readonly logOutput: string;
  /** What a test read of mysql.general_log answered when it failed. */
  readonly readError: string | null;
}

const persistHint = 'keep it across restarts in my.cnf or the managed service’s parameter group';

/**
 * One item per missing precondition: `log-output` (TABLE among the destinations), `general-log` (ON), and
 * `history-read` (SELECT on mysql.general_log).
 */
export function mysqlHistoryChecks(probe: MysqlHistoryProbe): ConnectionCheckItem[] {
  const outputs = probe.logOutput
    .split(',')
    .map((output) => output.trim().toUpperCase())
    .filter((output) => output !== '');
  const keptOutputs = outputs.filter((output) => output !== 'NONE' && output !== 'TABLE');
  const wantedOutput = [...keptOutputs, 'TABLE'].join(',');
  const items: ConnectionCheckItem[] = [
    outputs.includes('TABLE') && !outputs.includes('NONE')
      ? { name: 'log-output', ok: true }
      : {
          name: 'log-output',
          ok: false,
          message: `log_output is '${probe.logOutput}', so the general query log does not go to the mysql.general_log table this connection reads.`,
          fix: `SET GLOBAL log_output = '${wantedOutput}'; (${persistHint}: log_output = ${wantedOutput})`,
        },
    probe.generalLog
      ? { name: 'general-log', ok: true }
      : {
          name: 'general-log',
          ok: false,
          message: 'general_log is OFF, so the server records no query history.',
          fix: `SET GLOBAL general_log = 'ON'; (${persistHint}: general_log = 1)`,
        },
  ];
  items.push(
    probe.readError === null
      ? { name: 'history-read', ok: true }
      : {
          name: 'history-read',
          ok: false,
          message: `Reading mysql.general_log failed: ${probe.readError}`,
          fix: `GRANT SELECT ON mysql.general_log TO ${quoteAccount(probe.account)};`,
        },
  );
  return items;
}

/** Whether the server is what the connection says it is; dataset ids of the two platforms differ. */
export function mysqlPlatformCheck(expected: MysqlPlatform, version: string): ConnectionCheckItem {
  const actual = platformOfVersion(version);
  if (actual === expected) return { name: 'platform', ok: true };
  const names: Record<MysqlPlatform, string> = { mysql: 'MySQL', mariadb: 'MariaDB' };
  return {
    name: 'platform',
    ok: false,
    message: `The server is ${names[actual]} (${version}), but the connection is set up as ${names[expected]}; its datasets would not match those of dbt and BI tools that name it ${names[actual]}.`,
    fix: `Create the connection as a ${names[actual]} connection.`,
  };
}

/** Where a driver error happened, for messages. */
export interface MysqlErrorContext {
  readonly platform: MysqlPlatform;
  readonly host: string;
  readonly port: number;
  /** Values that must never reach a message (the password). */
  readonly secrets: readonly (string | null | undefined)[];
}

const authCodes = new Set([
  'ER_ACCESS_DENIED_ERROR',
  'ER_ACCESS_DENIED_NO_PASSWORD_ERROR',
  'ER_NOT_SUPPORTED_AUTH_MODE',
  'ER_ACCOUNT_HAS_BEEN_LOCKED',
  'ER_MUST_CHANGE_PASSWORD_LOGIN',
  'AUTH_SWITCH_PLUGIN_ERROR',
]);
const permissionCodes = new Set([
  'ER_DBACCESS_DENIED_ERROR',
  'ER_TABLEACCESS_DENIED_ERROR',
  'ER_COLUMNACCESS_DENIED_ERROR',
  'ER_SPECIFIC_ACCESS_DENIED_ERROR',
  'ER_PROCACCESS_DENIED_ERROR',
]);
const unavailableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_HOST_IS_BLOCKED',
]);

/** A mysql2 driver or server error → WarehouseError, with a message that names the server and no secret. */
export function warehouseErrorFromMysql(error: unknown, context: MysqlErrorContext): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const where = `${context.platform === 'mariadb' ? 'MariaDB' : 'MySQL'} at ${context.host}:${context.port}`;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as {
    code?: unknown;
    fatal?: unknown;
    message?: unknown;
  };
  const code = typeof fields.code === 'string' ? fields.code : '';
  const rawMessage =
    typeof fields.message === 'string' && fields.message ? fields.message : code || String(error);
  const say = (text: string): string => redactSecrets(text, context.secrets);
  if (authCodes.has(code)) {
    return new WarehouseError('auth', say(`${where} refused the credentials: ${rawMessage}`));
  }
  if (permissionCodes.has(code)) {
    return new WarehouseError('permission', say(`${where}: ${rawMessage}`));
  }
  if (unavailableCodes.has(code) || /timeout|timed out|closed state/i.test(rawMessage)) {
    return new WarehouseError('unavailable', say(`${where} is unavailable: ${rawMessage}`));
  }
  return new WarehouseError('invalid', say(`${where} rejected a query: ${rawMessage}`));
}
