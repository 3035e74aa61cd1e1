import {
  jaffleShopProject,
  modelAlias,
  modelId,
  schemaUrl,
  SOURCE_NAME,
  sourceId,
  sourceTables,
  type ColumnSpec,
  type JaffleShopOptions,
} from './jaffle-shop.project.js';

type Json = Record<string, unknown>;

export interface CatalogFixtureOptions extends JaffleShopOptions {
  /**
   * Write database, schema, table and column names in upper case, as Snowflake's information_schema returns
   * unquoted names (combine with `adapterType: 'snowflake'`).
   */
  readonly upperCase?: boolean;
  /** `errors` of a partly failed `docs generate`. */
  readonly errors?: string[] | null;
}

function family(adapterType: string): 'postgres' | 'snowflake' | 'bigquery' {
  if (adapterType === 'snowflake') return 'snowflake';
  if (adapterType === 'bigquery') return 'bigquery';
  return 'postgres';
}

function statItem(id: string, label: string, value: unknown, include: boolean, description: string): Json {
  return { id, label, value, include, description };
}

/** The stats each adapter's catalog macro writes. */
function statsFor(adapterType: string, isTable: boolean, rows: number): Json {
  const hasStats = (value: boolean) =>
    statItem(
      'has_stats',
      'Has Stats?',
      value,
      false,
      'Indicates whether there are statistics for this table',
    );
  if (!isTable) return { has_stats: hasStats(false) };
  switch (adapterType) {
    case 'snowflake':
      return {
        bytes: statItem(
          'bytes',
          'Approximate Size',
          rows * 512,
          true,
          'Approximate size of the table as reported by Snowflake',
        ),
        last_modified: statItem(
          'last_modified',
          'Last Modified',
          '2026-03-12 05:40UTC',
          true,
          'The timestamp for last update/change',
        ),
        row_count: statItem(
          'row_count',
          'Row Count',
          rows,
          true,
          'An approximate count of rows in this table',
        ),
        has_stats: hasStats(true),
      };
    case 'bigquery':
      return {
        num_bytes: statItem(
          'num_bytes',
          'Approximate Size',
          rows * 512,
          true,
          'Approximate size of table as reported by BigQuery',
        ),
        num_rows: statItem('num_rows', '# Rows', rows, true, 'Approximate count of rows in this table'),
        has_stats: hasStats(true),
      };
    case 'redshift':
      return {
        diststyle: statItem(
          'diststyle',
          'Dist Style',
          'AUTO(ALL)',
          true,
          'Distribution style or distribution key column',
        ),
        rows: statItem(
          'rows',
          'Approximate Row Count',
          rows,
          true,
          'Approximate number of rows in the table',
        ),
        size: statItem(
          'size',
          'Approximate Size',
          2,
          true,
          'Approximate size of the table, calculated from a count of 1MB blocks',
        ),
        has_stats: hasStats(true),
      };
    default:
      return { has_stats: hasStats(false) };
  }
}

/** catalog.json (v1, the only version) of the jaffle-shop-like project: what `dbt docs generate` writes. */
export function buildCatalog(options: CatalogFixtureOptions = {}): Json {
  // The catalog lists what exists in the warehouse, whatever the manifest version; v12 has every model.
  const project = jaffleShopProject(12, options);
  const resolved = project.options;
  const adapter = resolved.adapterType;
  const types = family(adapter);
  const name = (text: string) => (options.upperCase ? text.toUpperCase() : text);
  const tableType = (isTable: boolean) =>
    adapter === 'bigquery' ? (isTable ? 'table' : 'view') : isTable ? 'BASE TABLE' : 'VIEW';
  const owner = adapter === 'bigquery' ? null : adapter === 'snowflake' ? 'TRANSFORMER' : 'dbt';
  const columnsOf = (columns: readonly ColumnSpec[], undocumented: ColumnSpec[] = []): Json => {
    const result: Json = {};
    [...columns, ...undocumented].forEach((column, index) => {
      const columnName = name(column.name);
      result[columnName] = {
        type: column.warehouseType[types],
        index: index + 1,
        name: columnName,
        comment: null,
      };
    });
    return result;
  };
  const table = (
    uniqueId: string,
    schema: string,
    tableName: string,
    isTable: boolean,
    columns: Json,
    rows: number,
  ): Json => ({
    metadata: {
      type: tableType(isTable),
      schema: name(schema),
      name: name(tableName),
      database: name(resolved.database),
      comment: null,
      owner,
    },
    columns,
    stats: statsFor(adapter, isTable, rows),
    unique_id: uniqueId,
  });

  const nodes: Json = {};
  const seedId = `seed.${resolved.projectName}.${project.seedName}`;
  nodes[seedId] = table(
    seedId,
    resolved.schema,
    project.seedName,
    true,
    columnsOf([
      {
        name: 'code',
        description: '',
        dataType: 'text',
        warehouseType: { postgres: 'text', snowflake: 'TEXT', bigquery: 'STRING' },
      },
    ]),
    250,
  );
  for (const model of project.models) {
    if (model.materialized === 'ephemeral') continue;
    const id = modelId(project, model.name, model.version);
    nodes[id] = table(
      id,
      resolved.schema,
      modelAlias(model),
      model.materialized === 'table',
      columnsOf(model.columns),
      1000,
    );
  }
  const loadedAt: ColumnSpec = {
    name: '_loaded_at',
    description: '',
    dataType: 'timestamp',
    warehouseType: { postgres: 'timestamp with time zone', snowflake: 'TIMESTAMP_TZ', bigquery: 'TIMESTAMP' },
  };
  const sources: Json = {};
  for (const source of sourceTables) {
    const id = sourceId(project, SOURCE_NAME, source.name);
    // Loaders add columns nobody documents.
    sources[id] = table(
      id,
      resolved.sourceSchema,
      source.name,
      true,
      columnsOf(source.columns, [loadedAt]),
      5000,
    );
  }
  return {
    metadata: {
      dbt_schema_version: schemaUrl('catalog', 1),
      dbt_version: resolved.dbtVersion ?? '1.11.7',
      generated_at: resolved.generatedAt,
      invocation_id: resolved.invocationId,
      invocation_started_at: resolved.generatedAt,
      env: { ...resolved.env },
    },
    nodes,
    sources,
    errors: options.errors ?? null,
  };
}
