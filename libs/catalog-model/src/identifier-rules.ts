import type { Platform } from './platform.js';

/**
 * How a platform turns an identifier written in SQL into the name it stores and looks up.
 *
 * - `upper-unless-quoted`: unquoted names are stored upper-case, quoted names keep their case (Snowflake, Oracle).
 * - `lower-unless-quoted`: unquoted names are stored lower-case, quoted names keep their case (Postgres).
 * - `case-insensitive`: every name, quoted or not, resolves case-insensitively, so one case stands for all.
 * - `case-sensitive`: every name, quoted or not, keeps the case it was written in (BigQuery, ClickHouse).
 */
export type CaseRule = 'upper-unless-quoted' | 'lower-unless-quoted' | 'case-insensitive' | 'case-sensitive';

/**
 * How a bare (unquoted) part of a dataset id maps to the stored name. It mirrors the platform's own unquoted
 * rule, so an id part reads the way one would type the name in that platform's SQL:
 * `upper` — bare `orders` stands for `ORDERS`; `lower` — bare parts are the stored lower-case name;
 * `none` — bare parts are the stored name in any case.
 */
export type BareFold = 'upper' | 'lower' | 'none';

export interface IdentifierRules {
  readonly platform: Platform;
  /**
   * 3: database.schema.name. 2: the platform has one namespace level (a MySQL "database", a ClickHouse
   * database, a Hive database), and the id repeats it in the database and schema slots.
   */
  readonly levels: 2 | 3;
  /** What the platform calls each slot, for messages and documentation. */
  readonly levelNames: readonly [database: string, schema: string, name: string];
  /** The rule when the connection treats names case-sensitively, and when it does not (see `caseSensitive`). */
  readonly caseRules: { readonly sensitive: CaseRule; readonly insensitive: CaseRule };
  /** Which of the two rules applies when the connection does not say (the platform's out-of-the-box setting). */
  readonly caseSensitiveByDefault: boolean;
  readonly bareFold: BareFold;
  /** Characters that open a quoted identifier, and the character that closes each. */
  readonly quotes: ReadonlyMap<string, string>;
  /** Filled in when a name arrives without this level; only levels the platform itself defaults. */
  readonly defaultDatabase?: string;
  readonly defaultSchema?: string;
  /** Ports that are the platform's default for its host, dropped from the instance so `host` and `host:port` agree. */
  readonly defaultPorts: readonly number[];
}

const doubleQuote = new Map([['"', '"']]);
const backtick = new Map([['`', '`']]);
const backtickOrDoubleQuote = new Map([
  ['`', '`'],
  ['"', '"'],
]);
const bracketOrDoubleQuote = new Map([
  ['[', ']'],
  ['"', '"'],
]);

const threeLevels = ['database', 'schema', 'name'] as const;

function bareFoldOf(sensitiveRule: CaseRule): BareFold {
  if (sensitiveRule === 'upper-unless-quoted') return 'upper';
  if (sensitiveRule === 'lower-unless-quoted') return 'lower';
  return 'none';
}

type RuleDefinition = Omit<IdentifierRules, 'platform' | 'bareFold' | 'levelNames'> & {
  readonly levelNames?: IdentifierRules['levelNames'];
};

function fixed(rule: CaseRule): IdentifierRules['caseRules'] {
  return { sensitive: rule, insensitive: rule };
}

const definitions: Record<Platform, RuleDefinition> = {
  snowflake: {
    levels: 3,
    // `caseSensitive: false` models QUOTED_IDENTIFIERS_IGNORE_CASE = TRUE, where quoted names resolve upper-case too.
    caseRules: { sensitive: 'upper-unless-quoted', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: true,
    quotes: doubleQuote,
    defaultPorts: [443],
  },
  oracle: {
    levels: 3,
    levelNames: ['service', 'schema', 'name'],
    caseRules: fixed('upper-unless-quoted'),
    caseSensitiveByDefault: true,
    quotes: doubleQuote,
    defaultPorts: [1521],
  },
  postgres: {
    levels: 3,
    caseRules: fixed('lower-unless-quoted'),
    caseSensitiveByDefault: true,
    quotes: doubleQuote,
    defaultPorts: [5432],
  },
  redshift: {
    levels: 3,
    // Redshift folds even quoted names to lower case unless enable_case_sensitive_identifier is on.
    caseRules: { sensitive: 'lower-unless-quoted', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: false,
    quotes: doubleQuote,
    defaultPorts: [5439],
  },
  bigquery: {
    levels: 3,
    levelNames: ['project', 'dataset', 'table'],
    // Dataset and table names are case-sensitive unless the dataset was created with is_case_insensitive.
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: true,
    quotes: backtick,
    defaultPorts: [443],
  },
  clickhouse: {
    levels: 2,
    levelNames: ['database', 'database', 'table'],
    caseRules: fixed('case-sensitive'),
    caseSensitiveByDefault: true,
    quotes: backtickOrDoubleQuote,
    defaultSchema: 'default',
    // HTTP, HTTPS, native and native TLS: one server answers on all of them.
    defaultPorts: [8123, 8443, 9000, 9440],
  },
  mysql: {
    levels: 2,
    levelNames: ['database', 'database', 'table'],
    // lower_case_table_names = 1 or 2 (Windows, macOS, most managed services) compare names in lower case;
    // `caseSensitive: true` models lower_case_table_names = 0 (the Linux default).
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: false,
    // Double quotes quote identifiers under sql_mode ANSI_QUOTES; accepting them costs nothing.
    quotes: backtickOrDoubleQuote,
    defaultPorts: [3306],
  },
  mariadb: {
    levels: 2,
    levelNames: ['database', 'database', 'table'],
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: false,
    quotes: backtickOrDoubleQuote,
    defaultPorts: [3306],
  },
  hive: {
    levels: 2,
    levelNames: ['database', 'database', 'table'],
    caseRules: fixed('case-insensitive'),
    caseSensitiveByDefault: false,
    quotes: backtick,
    defaultSchema: 'default',
    defaultPorts: [10000],
  },
  databricks: {
    levels: 3,
    levelNames: ['catalog', 'schema', 'table'],
    caseRules: fixed('case-insensitive'),
    caseSensitiveByDefault: false,
    quotes: backtick,
    // dbt-databricks without a catalog, and dbt-spark on Databricks, write two-part names into the legacy metastore.
    defaultDatabase: 'hive_metastore',
    defaultPorts: [443],
  },
  athena: {
    levels: 3,
    levelNames: ['catalog', 'database', 'table'],
    caseRules: fixed('case-insensitive'),
    caseSensitiveByDefault: false,
    // Athena DML quotes with ", its Hive DDL with `.
    quotes: backtickOrDoubleQuote,
    defaultDatabase: 'awsdatacatalog',
    defaultPorts: [443],
  },
  trino: {
    levels: 3,
    levelNames: ['catalog', 'schema', 'table'],
    // Trino lower-cases every identifier, quoted or not, before it asks a connector.
    caseRules: fixed('case-insensitive'),
    caseSensitiveByDefault: false,
    quotes: doubleQuote,
    defaultPorts: [8080, 443],
  },
  duckdb: {
    levels: 3,
    // DuckDB resolves names case-insensitively even when they are quoted.
    caseRules: fixed('case-insensitive'),
    caseSensitiveByDefault: false,
    quotes: doubleQuote,
    defaultSchema: 'main',
    defaultPorts: [],
  },
  mssql: {
    levels: 3,
    // The default collation (SQL_Latin1_General_CP1_CI_AS) is case-insensitive.
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: false,
    quotes: bracketOrDoubleQuote,
    defaultSchema: 'dbo',
    defaultPorts: [1433],
  },
  synapse: {
    levels: 3,
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: false,
    quotes: bracketOrDoubleQuote,
    defaultSchema: 'dbo',
    defaultPorts: [1433],
  },
  fabric: {
    levels: 3,
    // A Fabric warehouse defaults to Latin1_General_100_BIN2_UTF8, a case-sensitive collation.
    caseRules: { sensitive: 'case-sensitive', insensitive: 'case-insensitive' },
    caseSensitiveByDefault: true,
    quotes: bracketOrDoubleQuote,
    defaultSchema: 'dbo',
    defaultPorts: [1433],
  },
};

const rulesByPlatform = new Map<Platform, IdentifierRules>(
  (Object.entries(definitions) as [Platform, RuleDefinition][]).map(([platform, definition]) => [
    platform,
    Object.freeze({
      ...definition,
      platform,
      levelNames: definition.levelNames ?? threeLevels,
      bareFold: bareFoldOf(definition.caseRules.sensitive),
    }),
  ]),
);

export function identifierRules(platform: Platform): IdentifierRules {
  const rules = rulesByPlatform.get(platform);
  // Unreachable for a typed caller; guards JavaScript callers and casts.
  if (!rules) throw new Error(`No identifier rules for platform ${JSON.stringify(platform)}`);
  return rules;
}

export interface IdentityOptions {
  /**
   * Whether the connection compares names case-sensitively, for platforms where that is a setting:
   * Snowflake (false = QUOTED_IDENTIFIERS_IGNORE_CASE), Redshift (true = enable_case_sensitive_identifier),
   * MySQL/MariaDB (true = lower_case_table_names 0), SQL Server/Synapse/Fabric (the collation), BigQuery
   * (false = a case-insensitive dataset). Other platforms have one fixed rule and ignore it. It is part of
   * the identity: every source describing one connection must pass the same value.
   */
  readonly caseSensitive?: boolean;
}

export function caseRuleOf(rules: IdentifierRules, options: IdentityOptions = {}): CaseRule {
  const sensitive = options.caseSensitive ?? rules.caseSensitiveByDefault;
  return sensitive ? rules.caseRules.sensitive : rules.caseRules.insensitive;
}

/**
 * The name the platform stores for an identifier written as `value` (already without its quotes).
 * Case-insensitive platforms fold towards the case they store (upper for Snowflake and Oracle).
 */
export function resolveIdentifier(
  rules: IdentifierRules,
  rule: CaseRule,
  value: string,
  quoted: boolean,
): string {
  switch (rule) {
    case 'upper-unless-quoted':
      return quoted ? value : value.toUpperCase();
    case 'lower-unless-quoted':
      return quoted ? value : value.toLowerCase();
    case 'case-sensitive':
      return value;
    case 'case-insensitive':
      return rules.bareFold === 'upper' ? value.toUpperCase() : value.toLowerCase();
  }
}

/** Whether some setting of the platform can store `storedName` as it is (a case-insensitive one never stores `Orders`). */
export function isStorableName(rules: IdentifierRules, storedName: string): boolean {
  return [rules.caseRules.sensitive, rules.caseRules.insensitive].some(
    (rule) => resolveIdentifier(rules, rule, storedName, true) === storedName,
  );
}
