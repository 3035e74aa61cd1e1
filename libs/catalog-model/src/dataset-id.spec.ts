import {
  datasetId,
  datasetIdFromQualifiedName,
  isDatasetId,
  normalizeDatasetId,
  parseDatasetId,
  tryParseDatasetId,
  type DatasetName,
} from './dataset-id.js';
import { InvalidDatasetIdError, InvalidDatasetNameError, UnsupportedPlatformError } from './errors.js';
import { PLATFORMS, type Platform } from './platform.js';

/**
 * One table per platform, written down from how each warehouse resolves names (vendor documentation),
 * not from this library's rule table: every spelling in `sameTable` reaches the same object in that
 * warehouse, every spelling in `otherTables` reaches a different one.
 */
interface PlatformCase {
  readonly instance: string;
  readonly sameTable: readonly string[];
  readonly expectedId: string;
  readonly otherTables: readonly string[];
}

const platformCases: Record<Platform, PlatformCase> = {
  snowflake: {
    instance: 'XY12345.us-east-1.snowflakecomputing.com',
    sameTable: [
      'analytics.public.orders',
      'ANALYTICS.PUBLIC.ORDERS',
      '"ANALYTICS"."PUBLIC"."ORDERS"',
      'Analytics . Public."ORDERS"',
    ],
    expectedId: 'snowflake://xy12345.us-east-1/analytics.public.orders',
    otherTables: [
      'analytics.public."orders"',
      'analytics.public."Orders"',
      'analytics.staging.orders',
      '"analytics".public.orders',
    ],
  },
  oracle: {
    instance: 'ora.example.com:1521',
    sameTable: ['orclpdb.hr.employees', 'ORCLPDB.HR.EMPLOYEES', '"ORCLPDB"."HR"."EMPLOYEES"'],
    expectedId: 'oracle://ora.example.com/orclpdb.hr.employees',
    otherTables: ['orclpdb.hr."employees"', 'orclpdb.hr."Employees"', 'orclpdb.sales.employees'],
  },
  postgres: {
    instance: 'DB.example.com:5432',
    sameTable: ['shop.public.orders', 'SHOP.Public.ORDERS', '"shop"."public"."orders"'],
    expectedId: 'postgres://db.example.com/shop.public.orders',
    otherTables: ['shop.public."Orders"', 'shop.public."ORDERS"', 'shop.sales.orders'],
  },
  redshift: {
    instance: 'cluster.abc123.us-west-2.redshift.amazonaws.com:5439',
    // Without enable_case_sensitive_identifier, Redshift folds quoted names to lower case too.
    sameTable: ['dev.public.orders', 'DEV.PUBLIC.ORDERS', '"Dev"."Public"."Orders"'],
    expectedId: 'redshift://cluster.abc123.us-west-2.redshift.amazonaws.com/dev.public.orders',
    otherTables: ['dev.public.orders_2', 'dev.sales.orders'],
  },
  bigquery: {
    instance: 'my-billing-project',
    sameTable: [
      '`my-project`.`jaffle_shop`.`Customers`',
      'my-project.jaffle_shop.Customers',
      '`my-project.jaffle_shop.Customers`',
      '`my-project`.jaffle_shop.`Customers`',
    ],
    expectedId: 'bigquery://default/my-project.jaffle_shop.Customers',
    otherTables: [
      'my-project.jaffle_shop.customers',
      'my-project.Jaffle_Shop.Customers',
      'other-project.jaffle_shop.Customers',
    ],
  },
  clickhouse: {
    instance: 'https://ch.example.com:8443',
    sameTable: ['analytics.events', '`analytics`.`events`', '"analytics"."events"'],
    expectedId: 'clickhouse://ch.example.com/analytics.analytics.events',
    otherTables: ['analytics.Events', 'Analytics.events', 'default.events'],
  },
  mysql: {
    instance: 'MySQL.example.com:3306',
    sameTable: ['shop.orders', 'SHOP.Orders', '`shop`.`orders`', '"Shop"."ORDERS"'],
    expectedId: 'mysql://mysql.example.com/shop.shop.orders',
    otherTables: ['shop.orders_archive', 'shop2.orders'],
  },
  mariadb: {
    instance: 'maria.example.com',
    sameTable: ['shop.orders', '`SHOP`.`Orders`'],
    expectedId: 'mariadb://maria.example.com/shop.shop.orders',
    otherTables: ['shop.order_lines', 'crm.orders'],
  },
  hive: {
    instance: 'hive.example.com:10000',
    sameTable: ['web.page_views', '`WEB`.`Page_Views`', 'Web.PAGE_VIEWS'],
    expectedId: 'hive://hive.example.com/web.web.page_views',
    otherTables: ['web.page_views_daily', 'default.page_views'],
  },
  databricks: {
    instance: 'https://dbc-1234.cloud.databricks.com/',
    sameTable: ['main.sales.orders', 'MAIN.Sales.ORDERS', '`main`.`sales`.`Orders`'],
    expectedId: 'databricks://dbc-1234.cloud.databricks.com/main.sales.orders',
    otherTables: ['hive_metastore.sales.orders', 'main.sales.order_items'],
  },
  athena: {
    instance: 'us-east-1',
    sameTable: [
      'awsdatacatalog.sales.orders',
      '"AwsDataCatalog"."Sales"."Orders"',
      '`sales`.`orders`',
      'sales.ORDERS',
    ],
    expectedId: 'athena://athena.us-east-1.amazonaws.com/awsdatacatalog.sales.orders',
    otherTables: ['other_catalog.sales.orders', 'awsdatacatalog.sales.order_items'],
  },
  trino: {
    instance: 'trino.example.com:8080',
    sameTable: ['hive.web.page_views', '"HIVE"."Web"."Page_Views"', 'Hive.WEB.page_views'],
    expectedId: 'trino://trino.example.com/hive.web.page_views',
    otherTables: ['iceberg.web.page_views', 'hive.web.page_views_2'],
  },
  duckdb: {
    instance: '',
    // DuckDB matches names case-insensitively even when they are quoted.
    sameTable: ['jaffle_shop.main.orders', '"Jaffle_Shop"."MAIN"."Orders"', 'JAFFLE_SHOP.Main.ORDERS'],
    expectedId: 'duckdb://default/jaffle_shop.main.orders',
    otherTables: ['jaffle_shop.staging.orders', 'other.main.orders'],
  },
  mssql: {
    instance: 'SQL.example.com:1433',
    sameTable: ['[Sales].[dbo].[Orders]', 'sales.dbo.orders', '"SALES".DBO."ORDERS"', 'Sales..Orders'],
    expectedId: 'mssql://sql.example.com/sales.dbo.orders',
    otherTables: ['sales.archive.orders', 'sales.dbo.order_lines'],
  },
  synapse: {
    instance: 'ws.sql.azuresynapse.net',
    sameTable: ['[DW].[dbo].[FactSales]', 'dw.dbo.factsales', 'DW..FACTSALES'],
    expectedId: 'synapse://ws.sql.azuresynapse.net/dw.dbo.factsales',
    otherTables: ['dw.stage.factsales'],
  },
  fabric: {
    // A Fabric warehouse's default collation is case-sensitive.
    instance: 'abc.datawarehouse.fabric.microsoft.com',
    sameTable: ['[Sales].[dbo].[Orders]', 'Sales.dbo.Orders', '"Sales"."dbo"."Orders"', 'Sales..Orders'],
    expectedId: 'fabric://abc.datawarehouse.fabric.microsoft.com/Sales.dbo.Orders',
    otherTables: ['sales.dbo.orders', 'Sales.dbo.ORDERS'],
  },
};

const platformTable = PLATFORMS.map((platform) => [platform, platformCases[platform]] as const);

describe('datasetId across platforms', () => {
  it('has a case for every platform, so a new platform cannot ship untested', () => {
    expect(Object.keys(platformCases).sort()).toEqual([...PLATFORMS].sort());
  });

  it.each(platformTable)('%s: every spelling of one table gives one id', (platform, testCase) => {
    for (const spelling of testCase.sameTable) {
      expect({
        spelling,
        id: datasetIdFromQualifiedName(platform, spelling, { instance: testCase.instance }),
      }).toEqual({
        spelling,
        id: testCase.expectedId,
      });
    }
  });

  it.each(platformTable)('%s: spellings of other tables give other ids', (platform, testCase) => {
    const ids = [testCase.sameTable[0]!, ...testCase.otherTables].map((spelling) =>
      datasetIdFromQualifiedName(platform, spelling, { instance: testCase.instance }),
    );
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(platformTable)('%s: parseDatasetId inverts datasetId', (platform, testCase) => {
    const parsed = parseDatasetId(testCase.expectedId);
    expect(parsed.platform).toBe(platform);
    expect(parsed.id).toBe(testCase.expectedId);
    expect(`${parsed.platform}://${parsed.instance}/${parsed.database}.${parsed.schema}.${parsed.name}`).toBe(
      testCase.expectedId,
    );
    expect(datasetId(parsed)).toBe(testCase.expectedId);
    expect(normalizeDatasetId(testCase.expectedId)).toBe(testCase.expectedId);
  });
});

describe('datasetId agrees between dbt and a warehouse crawl', () => {
  // dbt passes its configured names (unquoted unless the quoting policy says so); a crawler passes the names the
  // warehouse's information_schema returns, which are stored names and therefore `quoted: true`.
  it.each<[string, DatasetName, DatasetName, string]>([
    [
      'Snowflake: dbt default quoting false, the warehouse stores upper case',
      {
        platform: 'snowflake',
        instance: 'xy12345',
        database: 'analytics',
        schema: 'dbt_prod',
        name: 'orders',
      },
      {
        platform: 'snowflake',
        instance: 'XY12345',
        database: 'ANALYTICS',
        schema: 'DBT_PROD',
        name: 'ORDERS',
        quoted: true,
      },
      'snowflake://xy12345/analytics.dbt_prod.orders',
    ],
    [
      'Postgres: dbt quotes every part',
      {
        platform: 'postgres',
        instance: 'localhost',
        database: '"jaffle_shop"',
        schema: '"main"',
        name: '"stg_products"',
      },
      {
        platform: 'postgres',
        instance: 'LOCALHOST:5432',
        database: 'jaffle_shop',
        schema: 'main',
        name: 'stg_products',
        quoted: true,
      },
      'postgres://localhost/jaffle_shop.main.stg_products',
    ],
    [
      'MySQL: dbt has no database, information_schema says catalog "def"',
      { platform: 'mysql', instance: 'db', database: null, schema: 'Shop', name: 'Orders' },
      { platform: 'mysql', instance: 'db', database: 'def', schema: 'shop', name: 'orders', quoted: true },
      'mysql://db/shop.shop.orders',
    ],
    [
      'ClickHouse: dbt-clickhouse writes database "", the crawler only knows the database',
      { platform: 'clickhouse', instance: 'ch', database: '', schema: 'analytics', name: 'events' },
      { platform: 'clickhouse', instance: 'ch:9000', database: 'analytics', name: 'events', quoted: true },
      'clickhouse://ch/analytics.analytics.events',
    ],
    [
      'Databricks: dbt-spark on a workspace writes two-part names into hive_metastore',
      { platform: 'spark', instance: 'adb-1.2.azuredatabricks.net', schema: 'analytics', name: 'orders' },
      {
        platform: 'databricks',
        instance: 'https://adb-1.2.azuredatabricks.net',
        database: 'hive_metastore',
        schema: 'ANALYTICS',
        name: 'Orders',
        quoted: true,
      },
      'databricks://adb-1.2.azuredatabricks.net/hive_metastore.analytics.orders',
    ],
    [
      'SQL Server: dbt adapter type sqlserver, crawl with brackets',
      { platform: 'sqlserver', instance: 'sql:1433', database: 'Sales', schema: 'dbo', name: 'Orders' },
      { platform: 'mssql', instance: 'SQL', database: '[SALES]', schema: '[DBO]', name: '[ORDERS]' },
      'mssql://sql/sales.dbo.orders',
    ],
  ])('%s', (_title, fromDbt, fromCrawl, expected) => {
    expect(datasetId(fromDbt)).toBe(expected);
    expect(datasetId(fromCrawl)).toBe(expected);
  });
});

describe('quoted parts', () => {
  it('keeps the exact case of a quoted mixed-case Snowflake name, written quoted in the id', () => {
    const id = datasetId({
      platform: 'snowflake',
      instance: 'acct',
      database: 'analytics',
      schema: 'public',
      name: '"Orders"',
    });
    expect(id).toBe('snowflake://acct/analytics.public."Orders"');
    expect(parseDatasetId(id)).toMatchObject({
      name: 'Orders',
      quoted: { database: false, schema: false, name: true },
    });
  });

  it('gives "FOO" quoted and foo unquoted one Snowflake id, and "foo" quoted another', () => {
    const unquoted = datasetId({ platform: 'snowflake', database: 'db', schema: 's', name: 'foo' });
    const quotedUpper = datasetId({ platform: 'snowflake', database: 'db', schema: 's', name: '"FOO"' });
    const quotedLower = datasetId({ platform: 'snowflake', database: 'db', schema: 's', name: '"foo"' });
    expect(quotedUpper).toBe(unquoted);
    expect(quotedLower).not.toBe(unquoted);
    expect(quotedLower).toBe('snowflake://default/db.s."foo"');
  });

  it('takes a value literally when its flag is given, even if it carries quote characters', () => {
    const id = datasetId({
      platform: 'postgres',
      database: 'db',
      schema: 's',
      name: '"odd"',
      quoted: { name: true },
    });
    expect(parseDatasetId(id).name).toBe('"odd"');
    expect(id).toBe('postgres://default/db.s."""odd"""');
  });

  it('folds a value whose flag says unquoted, and trims it', () => {
    expect(datasetId({ platform: 'postgres', database: ' DB ', schema: 'S', name: 'T', quoted: false })).toBe(
      'postgres://default/db.s.t',
    );
  });
});

describe('the caseSensitive option', () => {
  const sameId = (platform: string, a: string, b: string, caseSensitive?: boolean): boolean =>
    datasetId({ platform, database: 'db', schema: 'db', name: a }, { caseSensitive }) ===
    datasetId({ platform, database: 'db', schema: 'db', name: b }, { caseSensitive });

  it.each<[string, string, string, boolean | undefined, boolean]>([
    ['redshift', '"Orders"', 'orders', undefined, true],
    ['redshift', '"Orders"', 'orders', true, false],
    ['mysql', 'Orders', 'orders', undefined, true],
    ['mysql', 'Orders', 'orders', true, false],
    ['mssql', 'Orders', 'orders', undefined, true],
    ['mssql', 'Orders', 'orders', true, false],
    ['fabric', 'Orders', 'orders', undefined, false],
    ['fabric', 'Orders', 'orders', false, true],
    ['bigquery', 'Orders', 'orders', undefined, false],
    ['bigquery', 'Orders', 'orders', false, true],
    // QUOTED_IDENTIFIERS_IGNORE_CASE = TRUE
    ['snowflake', '"Orders"', 'orders', false, true],
    ['snowflake', '"Orders"', 'orders', undefined, false],
    // Fixed rules: the option cannot make Postgres fold quoted names or ClickHouse compare case-insensitively.
    ['postgres', '"Orders"', 'orders', false, false],
    ['clickhouse', 'Orders', 'orders', false, false],
    ['duckdb', '"Orders"', 'orders', true, true],
  ])('%s: %s vs %s with caseSensitive=%s → same table: %s', (platform, a, b, caseSensitive, expected) => {
    expect(sameId(platform, a, b, caseSensitive)).toBe(expected);
  });

  it('round-trips ids built with the option when the same option is passed back', () => {
    const options = { caseSensitive: true };
    const id = datasetId({ platform: 'mysql', schema: 'Shop', name: 'Orders' }, options);
    expect(id).toBe('mysql://default/Shop.Shop.Orders');
    expect(datasetId(parseDatasetId(id), options)).toBe(id);
    expect(normalizeDatasetId(id)).toBe(id);
  });
});

/** A deterministic generator, so a failing case can be reproduced from the seed. */
function pseudoRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

const trickyAlphabet = [
  'a',
  'A',
  'b',
  'B',
  '.',
  '/',
  '"',
  ' ',
  '`',
  ']',
  '[',
  '%',
  ':',
  '-',
  '$',
  '_',
  '1',
  'é',
  'É',
  '\\',
  "'",
  '@',
];

function trickyNames(count: number, seed: number): string[] {
  const next = pseudoRandom(seed);
  const names = new Set<string>([
    'a.b',
    'a/b',
    'my table',
    'x"y',
    '://',
    '%2F',
    'ORDERS',
    'orders',
    'Orders',
    'ÉTÉ',
    'été',
  ]);
  while (names.size < count) {
    const length = 1 + Math.floor(next() * 6);
    let name = '';
    for (let index = 0; index < length; index += 1)
      name += trickyAlphabet[Math.floor(next() * trickyAlphabet.length)];
    if (name.trim() !== '') names.add(name);
  }
  return [...names];
}

/**
 * Which stored names each platform (out of the box) treats as the same object, from its documentation:
 * exact comparison, or comparison ignoring case.
 */
const comparesIgnoringCase: Record<Platform, boolean> = {
  snowflake: false,
  oracle: false,
  postgres: false,
  bigquery: false,
  clickhouse: false,
  fabric: false,
  redshift: true,
  mysql: true,
  mariadb: true,
  mssql: true,
  synapse: true,
  databricks: true,
  hive: true,
  athena: true,
  trino: true,
  duckdb: true,
};

describe('special characters', () => {
  const names = trickyNames(60, 7);

  it.each(PLATFORMS.map((platform) => [platform]))(
    '%s: stored names with any character round-trip',
    (platform) => {
      for (const name of names) {
        const input = { platform, instance: 'host', database: name, schema: name, name, quoted: true };
        const id = datasetId(input);
        const parsed = parseDatasetId(id);
        const storedName = comparesIgnoringCase[platform] ? name.toLowerCase() : name;
        // A bare part on Snowflake and Oracle is the lower-case spelling of an upper-case stored name.
        const expectedName =
          !parsed.quoted.name && (platform === 'snowflake' || platform === 'oracle')
            ? storedName.toLowerCase()
            : storedName;
        expect({ name, parsedName: parsed.name }).toEqual({ name, parsedName: expectedName });
        expect(datasetId(parsed)).toBe(id);
      }
    },
  );

  it.each(PLATFORMS.map((platform) => [platform]))(
    '%s: two stored names give one id exactly when the platform treats them as one',
    (platform) => {
      const same = (a: string, b: string) =>
        comparesIgnoringCase[platform] ? a.toLowerCase() === b.toLowerCase() : a === b;
      const idOf = (name: string) =>
        datasetId({ platform, database: 'db', schema: 'db', name, quoted: true });
      for (const a of names) {
        for (const b of names) {
          expect({ a, b, sameId: idOf(a) === idOf(b) }).toEqual({ a, b, sameId: same(a, b) });
        }
      }
    },
  );

  it.each([
    ['a.b', 'snowflake://default/db.s."A.B"'],
    ['a/b', 'snowflake://default/db.s."A/B"'],
    ['x"y', 'snowflake://default/db.s."X""Y"'],
  ])('quotes the part %s in the id', (name, expected) => {
    expect(datasetId({ platform: 'snowflake', database: 'db', schema: 's', name })).toBe(expected);
  });

  it('reads a BigQuery domain-scoped project, whose id contains "." and ":"', () => {
    const id = datasetIdFromQualifiedName('bigquery', '`example.com:analytics.sales.orders`');
    expect(id).toBe('bigquery://default/"example.com:analytics".sales.orders');
    expect(parseDatasetId(id)).toMatchObject({
      database: 'example.com:analytics',
      schema: 'sales',
      name: 'orders',
    });
  });
});

describe('datasetId instance', () => {
  it.each<[Platform, string | null | undefined, string]>([
    ['snowflake', 'XY12345.US-EAST-1.snowflakecomputing.com', 'xy12345.us-east-1'],
    ['snowflake', 'https://xy12345.us-east-1.privatelink.snowflakecomputing.com:443/', 'xy12345.us-east-1'],
    ['snowflake', 'MyOrg-MyAccount', 'myorg-myaccount'],
    ['postgres', 'DB.Example.COM:5432', 'db.example.com'],
    ['postgres', 'db.example.com:05432', 'db.example.com'],
    ['postgres', 'db.example.com:5433', 'db.example.com:5433'],
    ['postgres', 'db.example.com.', 'db.example.com'],
    ['postgres', '[::1]:5432', '[::1]'],
    ['postgres', '::1', '::1'],
    ['postgres', '', 'default'],
    ['postgres', '   ', 'default'],
    ['postgres', null, 'default'],
    ['postgres', undefined, 'default'],
    [
      'redshift',
      'cluster.abc.us-west-2.redshift.amazonaws.com:5439',
      'cluster.abc.us-west-2.redshift.amazonaws.com',
    ],
    // 5432 is not Redshift's default port, so it names another server.
    ['redshift', 'cluster.example.com:5432', 'cluster.example.com:5432'],
    ['mysql', 'jdbc:mysql://MySQL.example.com:3306/shop', 'mysql.example.com'],
    ['clickhouse', 'https://ch.example.com:8443', 'ch.example.com'],
    ['clickhouse', 'ch.example.com:9000', 'ch.example.com'],
    ['bigquery', 'my-billing-project', 'default'],
    ['databricks', 'https://DBC-1234.cloud.databricks.com/?o=1', 'dbc-1234.cloud.databricks.com'],
    ['athena', 'us-east-1', 'athena.us-east-1.amazonaws.com'],
    ['mssql', 'SQL.example.com:1433', 'sql.example.com'],
    ['trino', 'trino.example.com:8080', 'trino.example.com'],
    ['oracle', 'ORA.example.com:1521/ORCLPDB', 'ora.example.com'],
    ['duckdb', 'My Laptop', 'my%20laptop'],
  ])('%s instance %j → %s', (platform, instance, expected) => {
    const id = datasetId({ platform, instance, database: 'db', schema: 'db', name: 't' });
    expect(id).toBe(`${platform}://${expected}/db.db.t`);
    expect(parseDatasetId(id).instance).toBe(decodeURIComponent(expected));
  });

  it('never puts credentials of a connection URL into the id', () => {
    const id = datasetId({
      platform: 'postgres',
      instance: 'postgres://admin:s3cr/et@db.example.com:5432/shop?sslmode=require',
      database: 'shop',
      schema: 'public',
      name: 'orders',
    });
    expect(id).toBe('postgres://db.example.com/shop.public.orders');
  });
});

describe('datasetId input errors', () => {
  it.each<[string, DatasetName, RegExp]>([
    ['no name', { platform: 'snowflake', database: 'db', schema: 's', name: '' }, /name .* is required/],
    [
      'a blank quoted name',
      { platform: 'snowflake', database: 'db', schema: 's', name: '  ', quoted: true },
      /name/,
    ],
    [
      'no Snowflake database',
      { platform: 'snowflake', schema: 's', name: 't' },
      /database \(the snowflake database\) is required/,
    ],
    ['no Postgres schema', { platform: 'postgres', database: 'db', name: 't' }, /schema .* is required/],
    ['no MySQL database', { platform: 'mysql', name: 't' }, /schema \(the mysql database\) is required/],
    [
      'an unterminated quote',
      { platform: 'postgres', database: 'db', schema: 's', name: '"orders' },
      /name: .*not closed/,
    ],
    [
      'two identifiers in one part',
      { platform: 'postgres', database: 'db', schema: 's', name: '"a"."b"' },
      /name: .*one identifier/,
    ],
  ])('rejects %s', (_title, input, reason) => {
    const error = captureError(() => datasetId(input));
    expect(error).toBeInstanceOf(InvalidDatasetNameError);
    expect((error as InvalidDatasetNameError).reason).toMatch(reason);
    expect((error as InvalidDatasetNameError).input).toBe(input);
  });

  it('rejects an unknown platform with the list of known ones', () => {
    const error = captureError(() =>
      datasetId({ platform: 'teradata', database: 'a', schema: 'b', name: 'c' }),
    );
    expect(error).toBeInstanceOf(UnsupportedPlatformError);
    expect((error as Error).message).toMatch(/teradata.*snowflake/);
  });

  it('fills only the levels the platform itself defaults', () => {
    expect(datasetId({ platform: 'databricks', instance: 'h', schema: 'sales', name: 'orders' })).toBe(
      'databricks://h/hive_metastore.sales.orders',
    );
    expect(datasetId({ platform: 'athena', schema: 'sales', name: 'orders' })).toBe(
      'athena://default/awsdatacatalog.sales.orders',
    );
    expect(datasetId({ platform: 'duckdb', database: 'jaffle_shop', name: 'orders' })).toBe(
      'duckdb://default/jaffle_shop.main.orders',
    );
    expect(datasetId({ platform: 'mssql', database: 'sales', name: 'orders' })).toBe(
      'mssql://default/sales.dbo.orders',
    );
    expect(datasetId({ platform: 'hive', name: 'orders' })).toBe('hive://default/default.default.orders');
  });
});

describe('datasetIdFromQualifiedName', () => {
  it('fills missing levels from the session defaults, which may be stored names', () => {
    expect(
      datasetIdFromQualifiedName('snowflake', 'orders', {
        instance: 'acct',
        defaultDatabase: { value: 'ANALYTICS', quoted: true },
        defaultSchema: '"PUBLIC"',
      }),
    ).toBe('snowflake://acct/analytics.public.orders');
    expect(datasetIdFromQualifiedName('mysql', '`orders`', { defaultDatabase: 'shop' })).toBe(
      'mysql://default/shop.shop.orders',
    );
  });

  it('rejects more parts than the platform has', () => {
    expect(() => datasetIdFromQualifiedName('mysql', 'a.b.c')).toThrow(/at most 2 parts/);
    expect(() => datasetIdFromQualifiedName('postgres', 'a.b.c.d')).toThrow(/at most 3 parts/);
  });
});

describe('parseDatasetId errors', () => {
  it.each<[string, unknown, RegExp]>([
    ['an empty string', '', /empty/],
    ['a number', 42, /must be a string/],
    ['no "://"', 'snowflake:/acct/a.b.c', /"\:\/\/" is missing/],
    ['an unknown platform', 'oracle9://x/a.b.c', /unknown platform "oracle9"/],
    ['a dbt adapter type in place of the platform', 'sqlserver://x/a.b.c', /unknown platform "sqlserver"/],
    ['no name', 'snowflake://acct', /"\/" between the instance and the name/],
    ['an empty instance', 'snowflake:///a.b.c', /instance is empty/],
    ['two parts', 'snowflake://acct/a.b', /expected 3 .* found 2/],
    ['four parts', 'snowflake://acct/a.b.c.d', /found 4/],
    ['an unterminated quote', 'snowflake://acct/a.b."c', /not closed/],
    ['a space in a bare part', 'snowflake://acct/a.b.c d', /unexpected " " at position 22/],
    ['a slash in a bare part', 'snowflake://acct/a/b.c.d', /unexpected "\/"/],
    ['an empty part', 'snowflake://acct/a..c', /unexpected "\." .*double quotes/],
    ['a trailing dot', 'snowflake://acct/a.b.', /ends with "\."/],
    ['an empty quoted part', 'snowflake://acct/a.b.""', /empty quoted part/],
    [
      'upper case on Snowflake',
      'snowflake://acct/a.b.ORDERS',
      /canonical id is snowflake:\/\/acct\/a\.b\.orders$/,
    ],
    [
      'redundant quotes',
      'snowflake://acct/a.b."ORDERS"',
      /canonical id is snowflake:\/\/acct\/a\.b\.orders$/,
    ],
    ['an upper-case instance', 'snowflake://ACCT/a.b.c', /canonical id is snowflake:\/\/acct\/a\.b\.c$/],
    // A bare part reads like unquoted SQL: Postgres folds `Orders` to `orders`.
    [
      'a bare mixed-case Postgres part',
      'postgres://h/a.b.Orders',
      /canonical id is postgres:\/\/h\/a\.b\.orders$/,
    ],
    [
      'redundant quotes on Postgres',
      'postgres://h/a.b."orders"',
      /canonical id is postgres:\/\/h\/a\.b\.orders$/,
    ],
    [
      'a case DuckDB never stores',
      'duckdb://default/db.main."Orders"',
      /cannot occur: duckdb compares names case-insensitively/,
    ],
    ['a MySQL id whose database and schema differ', 'mysql://h/a.b.t', /one namespace level/],
    ['a BigQuery instance', 'bigquery://proj/p.d.t', /canonical id is bigquery:\/\/default\/p\.d\.t$/],
    ['a broken percent-encoding', 'snowflake://acct%zz/a.b.c', /percent-encoding/],
    ['a huge input', `snowflake://acct/a.b.${'x'.repeat(5000)}`, /longer than 4096/],
  ])('rejects %s', (_title, input, reason) => {
    const error = captureError(() => parseDatasetId(input as string));
    expect(error).toBeInstanceOf(InvalidDatasetIdError);
    expect((error as InvalidDatasetIdError).reason).toMatch(reason);
    expect((error as InvalidDatasetIdError).input).toBe(input);
    expect((error as Error).message.length).toBeLessThan(700);
    expect(tryParseDatasetId(input)).toBeNull();
    expect(isDatasetId(input)).toBe(false);
  });
});

describe('normalizeDatasetId', () => {
  it.each([
    [
      'snowflake://ACCT.snowflakecomputing.com/Analytics.PUBLIC."ORDERS"',
      'snowflake://acct/analytics.public.orders',
    ],
    ['databricks://h/sales.orders', 'databricks://h/hive_metastore.sales.orders'],
    ['mysql://h:3306/shop.orders', 'mysql://h/shop.shop.orders'],
    ['sqlserver://h/Sales.dbo.Orders', 'mssql://h/Sales.dbo.Orders'],
    ['duckdb://default/db.main."Orders"', 'duckdb://default/db.main.orders'],
    ['  postgres://h/db.public."orders"  ', 'postgres://h/db.public.orders'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeDatasetId(input)).toBe(expected);
    expect(parseDatasetId(expected).id).toBe(expected);
  });

  it('still rejects what it cannot read', () => {
    expect(() => normalizeDatasetId('snowflake://acct/a')).toThrow(InvalidDatasetIdError);
    expect(() => normalizeDatasetId('snowflake://acct/a.b')).toThrow(/database .* is required/);
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
