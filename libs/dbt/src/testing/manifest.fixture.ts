import {
  DBT_VERSION_BY_MANIFEST,
  genericTestName,
  jaffleShopProject,
  modelAlias,
  modelId,
  refId,
  schemaUrl,
  SOURCE_NAME,
  sourceId,
  sourceTables,
  testId,
  type ColumnSpec,
  type GenericTestSpec,
  type JaffleShopOptions,
  type ModelSpec,
  type Project,
  type SingularTestSpec,
} from './jaffle-shop.project.js';

/**
 * manifest.json of the jaffle-shop-like project for any schema version v1–v12, with each version's quirks
 * (field order and shapes follow real dbt 1.0 (v4) and 1.11 (v12) files):
 * `raw_sql`/`compiled_sql` before v7 and `raw_code`/`language` from v7; `root_path` until v7; refs as lists
 * (`[["orders"]]`) before v9 and dicts after; `disabled` a list in v1–v3 and a dict of lists from v4;
 * legacy metrics (v4–v6: `type` + `sql`), `calculation_method` metrics (v7–v9), MetricFlow metrics and
 * semantic models (v10+); groups, access, contracts, versions and `attached_node` from v9; saved queries
 * from v11; unit tests, `primary_key`, `doc_blocks`, metadata `quoting` in v12.
 */

type Json = Record<string, unknown>;

export const MANIFEST_SCHEMA_VERSIONS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] as const;

/** Adds `value` under `key` only when `condition` holds, keeping the object's field order readable. */
function when(condition: boolean, fields: Json): Json {
  return condition ? fields : {};
}

interface BuildContext {
  readonly version: number;
  readonly project: Project;
  readonly rootPath: string;
}

function refsOf(context: BuildContext, names: readonly string[]): unknown[] {
  if (context.version >= 9) return names.map((name) => ({ name, package: null, version: null }));
  return names.map((name) => [name]);
}

function columnsOf(context: BuildContext, columns: readonly ColumnSpec[], withTypes: boolean): Json {
  const result: Json = {};
  for (const column of columns) {
    result[column.name] = {
      name: column.name,
      description: column.description,
      meta: {},
      data_type: withTypes ? column.dataType : null,
      ...when(context.version >= 9, { constraints: [] }),
      quote: null,
      ...when(context.version >= 12, { config: { meta: {}, tags: [] } }),
      tags: [],
      ...when(context.version >= 12, { granularity: null, doc_blocks: [] }),
    };
  }
  return result;
}

function nodeConfig(context: BuildContext, materialized: string, extra: Json = {}): Json {
  const { version } = context;
  return {
    enabled: true,
    alias: null,
    schema: null,
    database: null,
    tags: [],
    meta: {},
    ...when(version >= 9, { group: null }),
    materialized,
    ...when(version >= 7, { incremental_strategy: null }),
    ...when(version >= 12, { batch_size: null, lookback: 1, begin: null }),
    persist_docs: {},
    'post-hook': [],
    'pre-hook': [],
    quoting: {},
    column_types: {},
    full_refresh: null,
    ...when(version >= 5, { unique_key: null }),
    ...when(version >= 3, { on_schema_change: 'ignore' }),
    ...when(version >= 8, { on_configuration_change: 'apply' }),
    ...when(version >= 6, { grants: {} }),
    ...when(version >= 7, { packages: [] }),
    ...when(version >= 6, { docs: { show: true, node_color: null } }),
    ...when(version >= 9, { contract: { enforced: false, ...when(version >= 10, { alias_types: true }) } }),
    ...when(version >= 12, { event_time: null, concurrent_batches: null }),
    ...extra,
  };
}

function docsOf(context: BuildContext): Json {
  return context.version >= 6 ? { show: true, node_color: null } : { show: true };
}

/** The common head of every node, in v12's field order (v7+) or the v1–v6 order. */
function nodeBody(
  context: BuildContext,
  fields: {
    uniqueId: string;
    resourceType: string;
    name: string;
    packageName?: string;
    schema: string;
    alias: string;
    path: string;
    originalFilePath: string;
    fqn: string[];
    config: Json;
    description: string;
    columns: Json;
    patchPath: string | null;
    relationName: string | null;
    code: string;
    refs: readonly string[];
    sources: readonly (readonly [string, string])[];
    dependsOnNodes: string[];
    dependsOnMacros: string[];
    checksum: Json;
    createdAt: number;
  },
): Json {
  const { version, project } = context;
  const packageName = fields.packageName ?? project.options.projectName;
  const head: Json = {
    database: project.options.database,
    schema: fields.schema,
    name: fields.name,
    resource_type: fields.resourceType,
    package_name: packageName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path: fields.path,
    original_file_path: fields.originalFilePath,
    unique_id: fields.uniqueId,
    fqn: fields.fqn,
    alias: fields.alias,
    checksum: fields.checksum,
    config: fields.config,
    tags: [],
    description: fields.description,
    columns: fields.columns,
    meta: {},
    ...when(version >= 9, { group: null }),
    docs: docsOf(context),
    patch_path: fields.patchPath,
    ...when(version <= 6, { compiled_path: null }),
    build_path: null,
    ...when(version <= 8, { deferred: false }),
    unrendered_config: {},
    ...when(version >= 2, { created_at: fields.createdAt }),
    ...when(version >= 8, { relation_name: fields.relationName }),
    ...(version >= 7 ? { raw_code: fields.code } : { raw_sql: fields.code }),
    ...when(version >= 12, { doc_blocks: [] }),
    ...when(version >= 7, { language: 'sql' }),
    refs: refsOf(context, fields.refs),
    sources: fields.sources.map((pair) => [...pair]),
    ...when(version >= 5, { metrics: [] }),
    ...when(version >= 12, { functions: [] }),
    depends_on: { macros: fields.dependsOnMacros, nodes: fields.dependsOnNodes },
    ...when(version >= 7, { compiled_path: null }),
  };
  return head;
}

function quoteAll(context: BuildContext, parts: string[]): string {
  // Fixtures render relation names with double quotes (postgres-like adapters) or bare (snowflake).
  const adapter = context.project.options.adapterType;
  if (adapter === 'snowflake') return parts.join('.');
  if (adapter === 'bigquery' || adapter === 'databricks' || adapter === 'spark') {
    return parts.map((part) => `\`${part}\``).join('.');
  }
  return parts.map((part) => `"${part}"`).join('.');
}

function modelNode(context: BuildContext, model: ModelSpec): Json {
  const { version, project } = context;
  const options = project.options;
  const uniqueId = modelId(project, model.name, model.version);
  const alias = modelAlias(model);
  const fileName = model.version === undefined ? model.name : `${model.name}_v${model.version}`;
  const relationName =
    model.materialized === 'ephemeral' ? null : quoteAll(context, [options.database, options.schema, alias]);
  const dependsOnNodes = [
    ...model.sources.map(([source, table]) => sourceId(project, source, table)),
    ...model.refs.map((name) => refId(project, name)),
    ...(model.name === 'orders' && project.externalModel
      ? [`model.${project.externalModel.packageName}.${project.externalModel.name}`]
      : []),
  ];
  const node = nodeBody(context, {
    uniqueId,
    resourceType: 'model',
    name: model.name,
    schema: options.schema,
    alias,
    path: `${model.layer}/${fileName}.sql`,
    originalFilePath: `models/${model.layer}/${fileName}.sql`,
    fqn: [
      options.projectName,
      model.layer,
      model.name,
      ...(model.version === undefined ? [] : [`v${model.version}`]),
    ],
    config: nodeConfig(context, model.materialized, {
      ...when(version >= 9, {
        access: model.access ?? 'protected',
        group: model.group ?? null,
        contract: {
          enforced: model.contractEnforced ?? false,
          ...when(version >= 10, { alias_types: true }),
        },
      }),
    }),
    description: model.description,
    columns: columnsOf(context, model.columns, model.contractEnforced ?? false),
    patchPath: `${options.projectName}://models/${model.layer}/${model.name}.yml`,
    relationName,
    code: model.sql,
    refs: model.refs,
    sources: model.sources,
    dependsOnNodes,
    dependsOnMacros: model.name === 'stg_orders' ? [`macro.${options.projectName}.cents_to_dollars`] : [],
    checksum: { name: 'sha256', checksum: `${model.name}`.padEnd(64, '0') },
    createdAt: 1773294455.185802,
  });
  if (version >= 9) {
    Object.assign(node, {
      contract: {
        enforced: model.contractEnforced ?? false,
        ...when(version >= 10, { alias_types: true, checksum: null }),
      },
      access: model.access ?? 'protected',
      group: model.group ?? null,
      constraints: [],
      version: model.version ?? null,
      latest_version: model.latestVersion ?? null,
      ...when(version >= 10, { deprecation_date: null }),
      ...when(version >= 12, { primary_key: [...(model.primaryKey ?? [])], time_spine: null }),
    });
  }
  return node;
}

function externalNode(context: BuildContext): Json {
  const { project } = context;
  const external = project.externalModel!;
  const node = nodeBody(context, {
    uniqueId: `model.${external.packageName}.${external.name}`,
    resourceType: 'model',
    name: external.name,
    packageName: external.packageName,
    schema: 'core',
    alias: external.name,
    // dbt-loom and dbt Mesh copy the public model without its files.
    path: '',
    originalFilePath: '',
    fqn: [external.packageName, external.name],
    config: nodeConfig(context, 'table', when(context.version >= 9, { access: 'public' })),
    description: 'One row per calendar day, owned by the platform team.',
    columns: {},
    patchPath: null,
    relationName: quoteAll(context, [project.options.database, 'core', external.name]),
    code: '',
    refs: [],
    sources: [],
    dependsOnNodes: [],
    dependsOnMacros: [],
    checksum: { name: 'sha256', checksum: '' },
    createdAt: 1773294455.1,
  });
  if (context.version >= 9) {
    Object.assign(node, {
      access: 'public',
      group: null,
      constraints: [],
      version: null,
      latest_version: null,
    });
  }
  return node;
}

function seedNode(context: BuildContext): Json {
  const { project } = context;
  const options = project.options;
  return {
    ...nodeBody(context, {
      uniqueId: `seed.${options.projectName}.${project.seedName}`,
      resourceType: 'seed',
      name: project.seedName,
      schema: options.schema,
      alias: project.seedName,
      path: `${project.seedName}.csv`,
      originalFilePath: `seeds/${project.seedName}.csv`,
      fqn: [options.projectName, project.seedName],
      config: nodeConfig(context, 'seed', { ...when(context.version >= 4, { quote_columns: null }) }),
      description: 'ISO country codes.',
      columns: {},
      patchPath: null,
      relationName: quoteAll(context, [options.database, options.schema, project.seedName]),
      code: '',
      refs: [],
      sources: [],
      dependsOnNodes: [],
      dependsOnMacros: [],
      checksum: { name: 'sha256', checksum: 'c0de'.padEnd(64, '0') },
      createdAt: 1773294454.8351328,
    }),
    // Seeds keep root_path even in v12 (as a real 1.11 manifest does).
    ...when(context.version >= 8, { root_path: context.rootPath }),
  };
}

function genericTestNode(context: BuildContext, test: GenericTestSpec): Json {
  const { version, project } = context;
  const options = project.options;
  const name = genericTestName(test);
  const target = test.model
    ? test.model.version === undefined
      ? `ref('${test.model.name}')`
      : `ref('${test.model.name}', version='${test.model.version}')`
    : `source('${test.source![0]}', '${test.source![1]}')`;
  const testedId = test.model
    ? modelId(project, test.model.name, test.model.version)
    : sourceId(project, test.source![0], test.source![1]);
  const dependsOnNodes = test.toModel ? [refId(project, test.toModel), testedId] : [testedId];
  const macro = `macro.dbt.test_${test.testName}`;
  const yamlFile = test.source
    ? 'models/staging/__sources.yml'
    : `models/${test.model!.name.startsWith('stg_') ? 'staging' : 'marts'}/${test.model!.name}.yml`;
  const node = nodeBody(context, {
    uniqueId: testId(project, test, version),
    resourceType: 'test',
    name,
    schema: `${options.schema}_dbt_test__audit`,
    alias: name,
    path: `${name}.sql`,
    originalFilePath: yamlFile,
    fqn: [options.projectName, ...(test.source ? ['staging'] : []), name],
    config: testConfig(context),
    description: '',
    columns: {},
    patchPath: null,
    relationName: null,
    code: `{{ test_${test.testName}(**_dbt_generic_test_kwargs) }}`,
    refs: [...(test.toModel ? [test.toModel] : []), ...(test.model ? [test.model.name] : [])],
    sources: test.source ? [test.source] : [],
    dependsOnNodes,
    dependsOnMacros: version >= 2 ? [macro, 'macro.dbt.get_where_subquery'] : [macro],
    checksum: { name: 'none', checksum: '' },
    createdAt: 1773294455.119016,
  });
  if (version <= 1) node.tags = ['schema'];
  return {
    ...node,
    ...when(version >= 9, {
      contract: { enforced: false, ...when(version >= 10, { alias_types: true, checksum: null }) },
    }),
    column_name: test.columnName,
    ...when(version >= 4, {
      file_key_name: test.source ? `sources.${test.source[0]}` : `models.${test.model!.name}`,
    }),
    ...when(version >= 9, { attached_node: testedId }),
    test_metadata: {
      name: test.testName,
      kwargs: {
        ...test.extraKwargs,
        column_name: test.columnName,
        model: version >= 2 ? `{{ get_where_subquery(${target}) }}` : `{{ ${target} }}`,
      },
      namespace: null,
    },
  };
}

function testConfig(context: BuildContext): Json {
  const { version } = context;
  return {
    enabled: true,
    alias: null,
    schema: 'dbt_test__audit',
    database: null,
    tags: [],
    meta: {},
    ...when(version >= 9, { group: null }),
    materialized: 'test',
    severity: 'ERROR',
    ...when(version >= 2, { store_failures: null }),
    ...when(version >= 11, { store_failures_as: null }),
    ...when(version >= 2, {
      where: null,
      limit: null,
      fail_calc: 'count(*)',
      warn_if: '!= 0',
      error_if: '!= 0',
    }),
  };
}

function singularTestNode(context: BuildContext, test: SingularTestSpec): Json {
  const { version, project } = context;
  const options = project.options;
  const node = nodeBody(context, {
    uniqueId: testId(project, test, version),
    resourceType: 'test',
    name: test.name,
    schema: `${options.schema}_dbt_test__audit`,
    alias: test.name,
    path: `${test.name}.sql`,
    originalFilePath: `tests/${test.name}.sql`,
    fqn: [options.projectName, test.name],
    config: testConfig(context),
    description: '',
    columns: {},
    patchPath: null,
    relationName: null,
    code: test.sql,
    refs: test.refs,
    sources: [],
    dependsOnNodes: test.refs.map((name) => refId(project, name)),
    dependsOnMacros: [],
    checksum: { name: 'sha256', checksum: 'feed'.padEnd(64, '0') },
    createdAt: 1773294455.2,
  });
  if (version <= 1) node.tags = ['data'];
  return {
    ...node,
    ...when(version >= 9, { contract: { enforced: false, alias_types: true, checksum: null } }),
  };
}

function sourceNode(context: BuildContext, table: (typeof sourceTables)[number]): Json {
  const { version, project } = context;
  const options = project.options;
  const period = (count: number, unit: string) => ({ count, period: unit });
  const freshness = {
    warn_after: period(12, 'hour'),
    error_after: period(24, 'hour'),
    ...when(version >= 3, { filter: null }),
  };
  const columns: Json = {};
  for (const column of table.columns) {
    columns[column.name] = {
      name: column.name,
      description: column.description,
      meta: {},
      data_type: null,
      ...when(version >= 9, { constraints: [] }),
      quote: null,
      tags: [],
      ...when(version >= 12, { granularity: null, doc_blocks: [] }),
    };
  }
  return {
    database: options.database,
    schema: options.sourceSchema,
    name: table.name,
    resource_type: 'source',
    package_name: options.projectName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path: 'models/staging/__sources.yml',
    original_file_path: 'models/staging/__sources.yml',
    unique_id: sourceId(project, SOURCE_NAME, table.name),
    fqn: [options.projectName, 'staging', SOURCE_NAME, table.name],
    source_name: SOURCE_NAME,
    source_description: 'E-commerce data for the Jaffle Shop',
    loader: 'fivetran',
    identifier: table.name,
    quoting: { database: null, schema: null, identifier: null, column: null },
    loaded_at_field: '_loaded_at',
    ...when(version >= 12, { loaded_at_query: null }),
    freshness,
    external: null,
    description: table.description,
    columns,
    meta: {},
    source_meta: {},
    tags: [],
    config: {
      enabled: true,
      ...when(version >= 12, {
        event_time: null,
        freshness,
        loaded_at_field: '_loaded_at',
        meta: {},
        tags: [],
      }),
    },
    patch_path: null,
    unrendered_config: {},
    ...when(version >= 4, {
      relation_name: quoteAll(context, [options.database, options.sourceSchema, table.name]),
    }),
    ...when(version >= 2, { created_at: 1773294455.328906 }),
    ...when(version >= 12, {
      unrendered_database: null,
      unrendered_schema: options.sourceSchema,
      doc_blocks: [],
    }),
  };
}

function exposureNode(context: BuildContext): Json {
  const { version, project } = context;
  const options = project.options;
  const emails = options.exposureOwnerEmails;
  return {
    name: 'weekly_kpis',
    resource_type: 'exposure',
    package_name: options.projectName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path: 'marts/exposures.yml',
    original_file_path: 'models/marts/exposures.yml',
    unique_id: `exposure.${options.projectName}.weekly_kpis`,
    fqn: [options.projectName, 'marts', 'weekly_kpis'],
    type: 'dashboard',
    owner: { email: emails ? [...emails] : 'data@jaffle.shop', name: 'Data team' },
    description: 'Weekly KPIs for the leadership team.',
    ...when(version >= 7, { label: 'Weekly KPIs' }),
    maturity: 'high',
    meta: {},
    tags: [],
    ...when(version >= 7, { config: { enabled: true, ...when(version >= 12, { tags: [], meta: {} }) } }),
    ...when(version >= 7, { unrendered_config: {} }),
    url: 'https://bi.example.com/dashboards/42',
    depends_on: {
      ...when(version >= 7, { macros: [] }),
      nodes: [refId(project, 'customers'), refId(project, 'orders')],
    },
    refs: refsOf(context, ['customers', 'orders']),
    sources: [],
    ...when(version >= 5, { metrics: [] }),
    ...when(version >= 2, { created_at: 1773294455.4 }),
  };
}

function metricNodes(context: BuildContext): Json {
  const { version, project } = context;
  const options = project.options;
  if (version < 4) return {};
  const common = (name: string) => ({
    name,
    resource_type: 'metric',
    package_name: options.projectName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path: 'marts/orders.yml',
    original_file_path: 'models/marts/orders.yml',
    unique_id: `metric.${options.projectName}.${name}`,
    fqn: [options.projectName, 'marts', name],
  });
  if (version <= 6) {
    // dbt_metrics era: `type` + `sql` on a model.
    return {
      [`metric.${options.projectName}.order_count`]: {
        ...common('order_count'),
        description: 'Number of orders.',
        label: 'Orders',
        type: 'count',
        sql: 'order_id',
        timestamp: 'ordered_at',
        filters: [],
        time_grains: ['day', 'week', 'month'],
        dimensions: ['status'],
        model: "ref('orders')",
        ...when(version >= 6, { window: null }),
        meta: {},
        tags: [],
        sources: [],
        depends_on: { macros: [], nodes: [refId(project, 'orders')] },
        refs: [['orders']],
        ...when(version >= 5, { metrics: [] }),
        created_at: 1773294455.3,
      },
    };
  }
  if (version <= 9) {
    return {
      [`metric.${options.projectName}.order_count`]: {
        ...common('order_count'),
        description: 'Number of orders.',
        label: 'Orders',
        calculation_method: 'count',
        expression: 'order_id',
        filters: [],
        time_grains: ['day', 'week', 'month'],
        dimensions: ['status'],
        timestamp: 'ordered_at',
        ...when(version >= 8, { window: null }),
        model: "ref('orders')",
        model_unique_id: null,
        meta: {},
        tags: [],
        config: { enabled: true, ...when(version >= 9, { group: null }) },
        unrendered_config: {},
        sources: [],
        depends_on: { macros: [], nodes: [refId(project, 'orders')] },
        refs: refsOf(context, ['orders']),
        metrics: [],
        created_at: 1773294455.3,
        ...when(version >= 9, { group: null }),
      },
    };
  }
  const measureInput = (name: string) => ({
    name,
    filter: null,
    alias: null,
    ...when(version >= 11, { join_to_timespine: false, fill_nulls_with: null }),
  });
  const typeParams = (fields: Json): Json => ({
    measure: null,
    input_measures: [],
    numerator: null,
    denominator: null,
    expr: null,
    window: null,
    grain_to_date: null,
    metrics: [],
    ...when(version >= 12, {
      conversion_type_params: null,
      cumulative_type_params: null,
      metric_aggregation_params: null,
    }),
    ...fields,
  });
  const metricFlow = (name: string, fields: Json, dependsOn: string[]): Json => ({
    ...common(name),
    description: fields.description,
    label: fields.label,
    type: fields.type,
    type_params: fields.type_params,
    filter: null,
    metadata: null,
    ...when(version >= 12, { time_granularity: null }),
    meta: {},
    tags: [],
    config: { enabled: true, group: null, meta: {} },
    unrendered_config: {},
    sources: [],
    depends_on: { macros: [], nodes: dependsOn },
    refs: [],
    metrics: [],
    created_at: 1773294455.247127,
    group: null,
  });
  const semanticModel = `semantic_model.${options.projectName}.orders`;
  return {
    [`metric.${options.projectName}.order_count`]: metricFlow(
      'order_count',
      {
        description: 'Number of orders.',
        label: 'Orders',
        type: 'simple',
        type_params: typeParams({
          measure: measureInput('order_count'),
          input_measures: [measureInput('order_count')],
        }),
      },
      [semanticModel],
    ),
    [`metric.${options.projectName}.order_total`]: metricFlow(
      'order_total',
      {
        description: 'Sum of order totals.',
        label: 'Order total',
        type: 'simple',
        type_params: typeParams({
          measure: measureInput('order_total'),
          input_measures: [measureInput('order_total')],
        }),
      },
      [semanticModel],
    ),
    [`metric.${options.projectName}.average_order_value`]: metricFlow(
      'average_order_value',
      {
        description: 'Order total per order.',
        label: 'AOV',
        type: 'ratio',
        type_params: typeParams({
          input_measures: [measureInput('order_total'), measureInput('order_count')],
          numerator: {
            name: 'order_total',
            filter: null,
            alias: null,
            offset_window: null,
            offset_to_grain: null,
          },
          denominator: {
            name: 'order_count',
            filter: null,
            alias: null,
            offset_window: null,
            offset_to_grain: null,
          },
        }),
      },
      [`metric.${options.projectName}.order_count`, `metric.${options.projectName}.order_total`],
    ),
  };
}

/** The semantic model on `orders`, as manifest v10+ and semantic_manifest.json write it. */
export function ordersSemanticModel(context: { version: number; project: Project }, withIds: boolean): Json {
  const { version, project } = context;
  const options = project.options;
  const ordersAlias = 'orders';
  const dimensionFields = (name: string, type: string, granularity: string | null): Json => ({
    name,
    type,
    description: null,
    label: null,
    is_partition: false,
    type_params: granularity ? { time_granularity: granularity, validity_params: null } : null,
    expr: null,
    metadata: null,
    ...when(version >= 12, { config: { meta: {} } }),
  });
  const measure = (name: string, agg: string, expr: string): Json => ({
    name,
    agg,
    description: null,
    label: null,
    create_metric: false,
    expr,
    agg_params: null,
    non_additive_dimension: null,
    agg_time_dimension: null,
    ...when(version >= 12, { config: { meta: {} } }),
  });
  return {
    name: 'orders',
    ...when(withIds, {
      resource_type: 'semantic_model',
      package_name: options.projectName,
      path: 'marts/orders.yml',
      original_file_path: 'models/marts/orders.yml',
      unique_id: `semantic_model.${options.projectName}.orders`,
      fqn: [options.projectName, 'marts', 'orders'],
      model: "ref('orders')",
    }),
    node_relation: {
      alias: ordersAlias,
      schema_name: options.schema,
      database: options.database,
      relation_name: quoteAll({ version, project, rootPath: '' }, [
        options.database,
        options.schema,
        ordersAlias,
      ]),
    },
    description: 'Order fact table. One row per order.',
    label: null,
    defaults: { agg_time_dimension: 'ordered_at' },
    entities: [
      { name: 'order', type: 'primary', description: null, label: null, role: null, expr: 'order_id' },
      { name: 'customer', type: 'foreign', description: null, label: null, role: null, expr: 'customer_id' },
    ],
    measures: [measure('order_count', 'sum', '1'), measure('order_total', 'sum', 'order_total')],
    dimensions: [
      dimensionFields('ordered_at', 'time', 'day'),
      dimensionFields('status', 'categorical', null),
    ],
    metadata: null,
    ...when(withIds, {
      depends_on: { macros: [], nodes: [refId(project, 'orders')] },
      refs: [{ name: 'orders', package: null, version: null }],
      created_at: 1773294455.182326,
      config: { enabled: true, group: null, meta: {} },
      unrendered_config: {},
      primary_entity: null,
      group: null,
    }),
  };
}

export function orderMetricsSavedQuery(
  context: { version: number; project: Project },
  withIds: boolean,
): Json {
  const options = context.project.options;
  return {
    name: 'order_metrics',
    ...when(withIds, {
      resource_type: 'saved_query',
      package_name: options.projectName,
      path: 'marts/orders.yml',
      original_file_path: 'models/marts/orders.yml',
      unique_id: `saved_query.${options.projectName}.order_metrics`,
      fqn: [options.projectName, 'marts', 'order_metrics'],
    }),
    query_params: {
      metrics: ['order_count', 'order_total'],
      group_by: ["TimeDimension('metric_time', 'day')", "Dimension('order__status')"],
      where: { where_filters: [{ where_sql_template: "{{ Dimension('order__status') }} != 'returned'" }] },
      ...when(context.version >= 12, { order_by: [], limit: null }),
    },
    exports: [
      {
        name: 'order_metrics',
        config: {
          export_as: 'table',
          schema_name: options.schema,
          alias: 'order_metrics',
          ...when(context.version >= 12, { database: options.database }),
        },
        ...when(context.version >= 12, { unrendered_config: { export_as: 'table' } }),
      },
    ],
    description: 'Daily order metrics by status.',
    label: null,
    metadata: null,
    ...when(withIds, {
      config: {
        enabled: true,
        group: null,
        meta: {},
        export_as: null,
        schema: null,
        cache: { enabled: false },
      },
      unrendered_config: {},
      group: null,
      depends_on: {
        macros: [],
        nodes: [`metric.${options.projectName}.order_count`, `metric.${options.projectName}.order_total`],
      },
      created_at: 1773294455.272022,
      refs: [],
      tags: [],
    }),
  };
}

function unitTestNode(context: BuildContext): Json {
  const { project } = context;
  const options = project.options;
  const customers = refId(project, 'customers');
  const version = customers.match(/\.v(\d+)$/)?.[1];
  return {
    model: 'customers',
    given: [
      {
        input: "ref('stg_customers')",
        rows: [{ customer_id: 1, customer_name: 'Ada' }],
        format: 'dict',
        fixture: null,
      },
      {
        input: "ref('orders')",
        rows: [
          { order_id: 1, customer_id: 1, order_total: 10 },
          { order_id: 2, customer_id: 1, order_total: 5.5 },
        ],
        format: 'dict',
        fixture: null,
      },
    ],
    expect: {
      rows: [{ customer_id: 1, count_lifetime_orders: 2, lifetime_spend: 15.5 }],
      format: 'dict',
      fixture: null,
    },
    name: 'test_lifetime_spend_sums_orders',
    resource_type: 'unit_test',
    package_name: options.projectName,
    path: 'marts/customers.yml',
    original_file_path: 'models/marts/customers.yml',
    unique_id: `unit_test.${options.projectName}.customers.test_lifetime_spend_sums_orders`,
    fqn: [options.projectName, 'marts', 'customers', 'test_lifetime_spend_sums_orders'],
    description: 'Lifetime spend is the sum of the order totals.',
    overrides: null,
    depends_on: { macros: [], nodes: [customers] },
    config: { tags: [], meta: {}, enabled: true },
    checksum: 'abc1'.padEnd(64, '0'),
    schema: options.schema,
    created_at: 1773294455.148384,
    versions: null,
    version: version === undefined ? null : Number(version),
  };
}

function macroNodes(context: BuildContext): Json {
  const { version, project } = context;
  const options = project.options;
  const macro = (packageName: string, name: string, sql: string) => ({
    name,
    resource_type: 'macro',
    package_name: packageName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path: `macros/${name}.sql`,
    original_file_path: `macros/${name}.sql`,
    unique_id: `macro.${packageName}.${name}`,
    macro_sql: sql,
    depends_on: { macros: [] },
    description: '',
    meta: {},
    docs: docsOf(context),
    patch_path: null,
    arguments: [],
    ...when(version >= 2, { created_at: 1773294454.5 }),
    ...when(version >= 7, { supported_languages: null }),
  });
  return {
    [`macro.${options.projectName}.cents_to_dollars`]: macro(
      options.projectName,
      'cents_to_dollars',
      '{% macro cents_to_dollars(column_name) -%}\n    ({{ column_name }} / 100)::numeric(16, 2)\n{%- endmacro %}',
    ),
    'macro.dbt.test_not_null': macro(
      'dbt',
      'test_not_null',
      '{% test not_null(model, column_name) %}\n    {{ return(adapter.dispatch("test_not_null", "dbt")(model, column_name)) }}\n{% endtest %}',
    ),
  };
}

function disabledNode(context: BuildContext): Json {
  const { project } = context;
  const options = project.options;
  return nodeBody(context, {
    uniqueId: modelId(project, 'legacy_orders'),
    resourceType: 'model',
    name: 'legacy_orders',
    schema: options.schema,
    alias: 'legacy_orders',
    path: 'legacy/legacy_orders.sql',
    originalFilePath: 'models/legacy/legacy_orders.sql',
    fqn: [options.projectName, 'legacy', 'legacy_orders'],
    config: { ...nodeConfig(context, 'table'), enabled: false },
    description: '',
    columns: {},
    patchPath: null,
    relationName: null,
    code: "{{ config(enabled=false) }}\nselect * from {{ ref('stg_orders') }}",
    refs: ['stg_orders'],
    sources: [],
    dependsOnNodes: [],
    dependsOnMacros: [],
    checksum: { name: 'sha256', checksum: 'dead'.padEnd(64, '0') },
    createdAt: 1773294455.5,
  });
}

function docNodes(context: BuildContext): Json {
  const { version, project } = context;
  const options = project.options;
  const doc = (packageName: string, name: string, path: string, contents: string) => ({
    name,
    resource_type: 'doc',
    package_name: packageName,
    ...when(version <= 7, { root_path: context.rootPath }),
    path,
    original_file_path: `docs/${path}`,
    unique_id: `doc.${packageName}.${name}`,
    block_contents: contents,
  });
  return {
    [`doc.${options.projectName}.order_status`]: doc(
      options.projectName,
      'order_status',
      'order_status.md',
      'One of placed, shipped, completed, return_pending, returned.',
    ),
    'doc.dbt.__overview__': doc('dbt', '__overview__', 'overview.md', '### Welcome!\n\nWelcome to the docs.'),
  };
}

function metadataOf(context: BuildContext): Json {
  const { version, project } = context;
  const options = project.options;
  return {
    dbt_schema_version: schemaUrl('manifest', version),
    dbt_version: options.dbtVersion ?? DBT_VERSION_BY_MANIFEST[version] ?? '1.11.7',
    generated_at: options.generatedAt,
    invocation_id: options.invocationId,
    ...when(version >= 12, { invocation_started_at: options.generatedAt }),
    env: { ...options.env },
    ...when(version >= 10, { project_name: options.projectName }),
    project_id: '06e5b98c2db46f8a72cc4f66410e9b3b',
    user_id: null,
    send_anonymous_usage_stats: false,
    adapter_type: options.adapterType,
    ...when(version >= 12, {
      quoting: {
        database: options.quoting?.database ?? null,
        schema: options.quoting?.schema ?? null,
        identifier: options.quoting?.identifier ?? null,
        column: null,
      },
      run_started_at: options.generatedAt.replace('Z', '+00:00'),
    }),
  };
}

/** manifest.json (as a plain object) of the jaffle-shop-like project for schema `version` (1–12). */
export function buildManifest(version: number, options: JaffleShopOptions = {}): Json {
  if (!Number.isInteger(version) || version < 1 || version > 12) {
    throw new RangeError(`manifest schema versions are 1–12, got ${version}`);
  }
  const project = jaffleShopProject(version, options);
  const context: BuildContext = { version, project, rootPath: '/home/runner/jaffle_shop' };
  const name = project.options.projectName;

  const nodes: Json = {};
  if (project.externalModel)
    nodes[`model.${project.externalModel.packageName}.${project.externalModel.name}`] = externalNode(context);
  nodes[`seed.${name}.${project.seedName}`] = seedNode(context);
  for (const model of project.models)
    nodes[modelId(project, model.name, model.version)] = modelNode(context, model);
  for (const test of project.tests) {
    nodes[testId(project, test, version)] =
      test.kind === 'generic' ? genericTestNode(context, test) : singularTestNode(context, test);
  }
  const sources: Json = {};
  for (const table of sourceTables)
    sources[sourceId(project, SOURCE_NAME, table.name)] = sourceNode(context, table);
  const exposures: Json = { [`exposure.${name}.weekly_kpis`]: exposureNode(context) };
  const metrics = metricNodes(context);
  const disabled = disabledNode(context);

  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  const everything: Json = { ...nodes, ...sources, ...exposures, ...metrics };
  const semanticModels: Json =
    version >= 10 ? { [`semantic_model.${name}.orders`]: ordersSemanticModel(context, true) } : {};
  const savedQueries: Json =
    version >= 11 ? { [`saved_query.${name}.order_metrics`]: orderMetricsSavedQuery(context, true) } : {};
  const unitTests: Json =
    version >= 12
      ? { [`unit_test.${name}.customers.test_lifetime_spend_sums_orders`]: unitTestNode(context) }
      : {};
  Object.assign(everything, semanticModels, savedQueries, unitTests);
  for (const [id, entry] of Object.entries(everything)) {
    parentMap[id] ??= [];
    childMap[id] ??= [];
    const dependsOn = ((entry as Json).depends_on as { nodes?: string[] } | undefined)?.nodes ?? [];
    for (const parent of dependsOn) {
      parentMap[id].push(parent);
      (childMap[parent] ??= []).push(id);
    }
  }

  const groups: Json =
    version >= 9
      ? {
          [`group.${name}.finance`]: {
            name: 'finance',
            resource_type: 'group',
            package_name: name,
            path: 'marts/groups.yml',
            original_file_path: 'models/marts/groups.yml',
            unique_id: `group.${name}.finance`,
            owner: { email: 'finance@jaffle.shop', name: 'Finance' },
            ...when(version >= 12, { description: 'Owns the customer marts.', config: { meta: {} } }),
          },
        }
      : {};

  return {
    metadata: metadataOf(context),
    nodes,
    sources,
    macros: macroNodes(context),
    docs: docNodes(context),
    exposures,
    ...when(version >= 4, { metrics }),
    ...when(version >= 9, { groups }),
    selectors: {},
    disabled: version <= 3 ? [disabled] : { [disabled.unique_id as string]: [disabled] },
    parent_map: parentMap,
    child_map: childMap,
    ...when(version >= 9, {
      group_map: {
        finance: project.models
          .filter((model) => model.group === 'finance')
          .map((model) => modelId(project, model.name, model.version)),
      },
    }),
    // dbt writes saved_queries before semantic_models.
    ...when(version >= 11, { saved_queries: savedQueries }),
    ...when(version >= 10, { semantic_models: semanticModels }),
    ...when(version >= 12, { unit_tests: unitTests, functions: {} }),
  };
}
