import {
  datasetId,
  DatasetIdentityError,
  identifierRules,
  parseDatasetId,
  parseIdentifier,
  type IdentifierRules,
  type QualifiedNamePart,
} from '@cartograph/catalog-model';
import type { NamePart } from './ast.readers.js';
import type { SqlContext, SqlPlatform, TableReference } from './lineage.types.js';

/** A name in the SQL that cannot be turned into a dataset id (too many parts, a level missing, too long…). */
export class TableNameError extends Error {
  constructor(
    readonly tableName: string,
    readonly reason: string,
  ) {
    super(`table ${tableName}: ${reason}`);
    this.name = 'TableNameError';
  }
}

/**
 * BigQuery date-sharded tables (`events_20240101`) and wildcard tables (`events_*`, `events_2024*`) name a family of
 * tables. Like DataHub, every member and every wildcard over the family becomes one dataset, `<prefix>_yyyymmdd`, so
 * a query over one day and a query over a month give the same lineage node.
 */
export const BIGQUERY_SHARD_SUFFIX = '_yyyymmdd';

/** The dataset BigQuery puts a script's temp tables in (`_SESSION.t` reads temp table `t`). */
const BIGQUERY_SESSION_DATASET: NamePart = { value: '_SESSION', quoted: true };

const bigQueryShard = /^(.*\D)[_$]?\d{4}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])$/s;
const bigQueryWildcard = /^(.*?)(?:_\d{0,8})?\*$/s;

/** Upper bound on cached names per resolver; the cache is dropped whole when full (names repeat heavily in history). */
const CACHE_LIMIT = 5_000;

/**
 * Turns the parts of a table name as written in SQL into a `TableReference`, resolving missing levels from the
 * context the way DataHub does (a one-part name gets the default schema, then a name of at most two parts gets the
 * default database) and folding case with catalog-model's rules for the platform.
 */
export class TableNameResolver {
  readonly platform: SqlPlatform;
  private readonly rules: IdentifierRules;
  private readonly defaultDatabase: QualifiedNamePart | undefined;
  private readonly defaultSchema: QualifiedNamePart | undefined;
  /** Resolved names (or the reason they cannot be resolved) by the written parts. */
  private readonly resolved = new Map<string, TableReference | string>();

  constructor(private readonly context: SqlContext) {
    this.platform = context.platform;
    this.rules = identifierRules(context.platform);
    this.defaultDatabase = contextPart(context.platform, context.defaultDatabase);
    this.defaultSchema = contextPart(context.platform, context.defaultSchema);
  }

  /** Throws `TableNameError` when the name cannot be an id. */
  resolve(written: readonly NamePart[]): TableReference {
    let key = partKey(written[0]);
    for (let index = 1; index < written.length; index += 1) key += `\u0001${partKey(written[index])}`;
    let cached = this.resolved.get(key);
    if (cached === undefined) {
      try {
        cached = this.resolveUncached(written);
      } catch (error) {
        if (!(error instanceof TableNameError)) throw error;
        cached = error.reason;
      }
      if (this.resolved.size >= CACHE_LIMIT) this.resolved.clear();
      this.resolved.set(key, cached);
    }
    if (typeof cached === 'string') throw new TableNameError(displayName(written), cached);
    return cached;
  }

  /** The stored name of a column written as `part`; see `normalizeColumnName`. */
  column(part: NamePart): string {
    return normalizeColumnName(this.platform, part, this.context.caseSensitive);
  }

  private resolveUncached(written: readonly NamePart[]): TableReference {
    const display = displayName(written);
    if (written.length === 0) throw new TableNameError(display, 'the name is empty');
    let parts = this.platform === 'bigquery' ? normalizeBigQueryParts(written) : [...written];
    if (parts.some((part) => part.value.trim() === ''))
      throw new TableNameError(display, 'a part of the name is empty');
    if (parts.length > this.rules.levels) {
      throw new TableNameError(
        display,
        `${this.platform} names have at most ${this.rules.levels} parts, found ${parts.length}`,
      );
    }
    parts = parts.slice();
    const fromRight = (offset: number): NamePart | undefined => parts[parts.length - 1 - offset];
    const name = fromRight(0)!;
    const schema =
      fromRight(1) ??
      this.defaultSchema ??
      (this.rules.levels === 2 ? this.defaultDatabase : undefined) ??
      // Without a default dataset, BigQuery resolves a one-part name only to a temp table of the session.
      (this.platform === 'bigquery' ? BIGQUERY_SESSION_DATASET : undefined);
    const database = this.rules.levels === 3 ? (fromRight(2) ?? this.defaultDatabase) : undefined;
    let id: string;
    try {
      id = datasetId(
        {
          platform: this.platform,
          instance: this.context.instance,
          database: database?.value,
          schema: schema?.value,
          name: name.value,
          quoted: { database: database?.quoted ?? false, schema: schema?.quoted ?? false, name: name.quoted },
        },
        { caseSensitive: this.context.caseSensitive },
      );
    } catch (error) {
      if (error instanceof DatasetIdentityError) {
        const hint =
          /is required/.test(error.reason) && parts.length < this.rules.levels
            ? ' (the statement context gives no default for it)'
            : '';
        throw new TableNameError(display, `${error.reason}${hint}`);
      }
      throw error;
    }
    const parsed = parseDatasetId(id);
    // A bare id part stands for the name the platform's unquoted rule gives it (catalog-model's `bareFold`).
    const fold = this.rules.bareFold;
    const stored = (value: string, quoted: boolean): string =>
      quoted
        ? value
        : fold === 'upper'
          ? value.toUpperCase()
          : fold === 'lower'
            ? value.toLowerCase()
            : value;
    return Object.freeze({
      database: stored(parsed.database, parsed.quoted.database),
      schema: stored(parsed.schema, parsed.quoted.schema),
      name: stored(parsed.name, parsed.quoted.name),
      datasetId: id,
    });
  }
}

function contextPart(platform: SqlPlatform, value: string | null | undefined): QualifiedNamePart | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  try {
    return parseIdentifier(platform, value);
  } catch {
    // A default with a broken quote is taken literally rather than failing every statement of the session.
    return { value, quoted: true };
  }
}

function partKey(part: NamePart | undefined): string {
  if (part === undefined) return '';
  return `${part.quoted ? '"' : "'"}${part.value}`;
}

/** The name as it was written, shortened, for error messages. */
export function displayName(parts: readonly NamePart[]): string {
  const text = parts.map((part) => (part.quoted ? `"${part.value}"` : part.value)).join('.');
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

/**
 * BigQuery-only rewriting of a name before it becomes an id: a quoted path (`` `p.ds.t` ``) is split at its dots,
 * `INFORMATION_SCHEMA.<VIEW>` stays one name part (DataHub keeps `INFORMATION_SCHEMA.COLUMNS` together),
 * `$decorators` (`t$20240101`, `t$__UNPARTITIONED__`) are dropped, and shards and wildcards become
 * `<prefix>_yyyymmdd` (see `BIGQUERY_SHARD_SUFFIX`).
 */
export function normalizeBigQueryParts(written: readonly NamePart[]): NamePart[] {
  let parts: NamePart[] = [];
  for (const [index, part] of written.entries()) {
    if (part.quoted && part.value.includes('.')) {
      let pieces = part.value.split('.');
      // A domain-scoped project (`example.com:project`) keeps its dots up to the colon.
      const domainEnd = pieces.findIndex((piece) => piece.includes(':'));
      if (index === 0 && domainEnd > 0) {
        pieces = [pieces.slice(0, domainEnd + 1).join('.'), ...pieces.slice(domainEnd + 1)];
      }
      parts.push(...pieces.map((value) => ({ value, quoted: true })));
    } else {
      parts.push(part);
    }
  }
  const informationSchema = parts.findIndex((part) => part.value.toUpperCase() === 'INFORMATION_SCHEMA');
  if (informationSchema >= 0 && informationSchema < parts.length - 1 && parts.length > 3) {
    parts = [
      ...parts.slice(0, informationSchema),
      {
        value: parts
          .slice(informationSchema)
          .map((part) => part.value)
          .join('.'),
        quoted: true,
      },
    ];
  }
  const last = parts[parts.length - 1];
  if (last !== undefined) {
    let value = last.value;
    const decorator = value.indexOf('$');
    if (decorator > 0) value = value.slice(0, decorator);
    const wildcard = bigQueryWildcard.exec(value);
    if (wildcard && wildcard[1] !== '') {
      value = `${wildcard[1]}${BIGQUERY_SHARD_SUFFIX}`;
    } else {
      const shard = bigQueryShard.exec(value);
      if (shard) value = `${shard[1]!.replace(/[_$]$/, '')}${BIGQUERY_SHARD_SUFFIX}`;
    }
    if (value !== last.value) parts[parts.length - 1] = { value, quoted: last.quoted };
  }
  return parts;
}

/**
 * Column names in lineage are stored names, folded like the platform folds column identifiers: Snowflake upper-case
 * unless quoted; Postgres lower-case unless quoted; Redshift lower-case (quoted too, unless the connection is case
 * sensitive); BigQuery, MySQL, MariaDB, Databricks, Hive, Athena, Trino and DuckDB compare column names without case
 * (even where table names keep case), so lower-case; ClickHouse keeps case. `caseSensitive` is the connection setting
 * of `SqlContext` (Snowflake `false` = QUOTED_IDENTIFIERS_IGNORE_CASE).
 */
export function normalizeColumnName(platform: SqlPlatform, part: NamePart, caseSensitive?: boolean): string {
  switch (platform) {
    case 'snowflake':
      return part.quoted && caseSensitive !== false ? part.value : part.value.toUpperCase();
    case 'postgres':
      return part.quoted ? part.value : part.value.toLowerCase();
    case 'redshift':
      return part.quoted && caseSensitive === true ? part.value : part.value.toLowerCase();
    case 'clickhouse':
      return part.value;
    default:
      return part.value.toLowerCase();
  }
}
