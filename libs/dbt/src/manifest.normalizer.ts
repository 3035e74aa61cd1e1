import type {
  DbtColumn,
  DbtDocBlock,
  DbtExposure,
  DbtFreshnessCriteria,
  DbtFreshnessPeriod,
  DbtGroup,
  DbtMetric,
  DbtMetricStyle,
  DbtNode,
  DbtOwner,
  DbtSavedQuery,
  DbtSemanticDimension,
  DbtSemanticEntity,
  DbtSemanticMeasure,
  DbtSemanticModel,
  DbtSource,
  DbtTest,
  DbtUnitTest,
} from './manifest.types.js';
import {
  booleanOrNull,
  extraFields,
  isObject,
  nonEmptyString,
  numberOrNull,
  objectList,
  objectOf,
  objectOrNull,
  quotingOf,
  refTarget,
  sourceTarget,
  stringList,
  stringOr,
  stringOrNull,
  versionOrNull,
  type JsonObject,
} from './value.readers.js';

/**
 * Normalisers for manifest entries. They work by field presence, not by schema version, so an entry of any
 * version (or a hand-edited one) reads the same way: `raw_code ?? raw_sql`, refs in either shape, metric
 * specifications of all three eras.
 */

/** Fields every resource has, read into the common fields of the model. */
const commonFields = [
  'unique_id',
  'resource_type',
  'name',
  'package_name',
  'path',
  'original_file_path',
  'fqn',
];

/**
 * Known fields that are dropped: they repeat what `dependsOn`/`config` already say (`refs`, `sources`,
 * `metrics`, `unrendered_config`), point at the machine that ran dbt (`root_path`, `build_path`), or are
 * compile-time internals.
 */
const droppedFields = [
  'refs',
  'sources',
  'metrics',
  'functions',
  'unrendered_config',
  'root_path',
  'build_path',
  'compiled_path',
  'config_call_dict',
  'unrendered_config_call_dict',
  'extra_ctes',
  'extra_ctes_injected',
  '_pre_injected_sql',
  '_event_status',
];

function knownSet(...fields: string[]): ReadonlySet<string> {
  return new Set([...commonFields, ...droppedFields, ...fields]);
}

function resourceTypeOf(raw: JsonObject, uniqueId: string | null): string {
  const type = stringOrNull(raw.resource_type);
  if (type) return type.toLowerCase();
  const prefix = uniqueId?.split('.')[0];
  return prefix && prefix !== '' ? prefix : 'unknown';
}

function uniqueIdOf(raw: JsonObject, key: string | null): string {
  return stringOrNull(raw.unique_id) ?? key ?? '';
}

function dependsOnNodes(raw: JsonObject): string[] {
  return stringList(objectOf(raw.depends_on).nodes);
}

function metaOf(raw: JsonObject): Record<string, unknown> {
  // Recent dbt writes meta both at the top and in config; older versions only at the top.
  if (isObject(raw.meta) && Object.keys(raw.meta).length > 0) return raw.meta;
  const configMeta = objectOf(raw.config).meta;
  return isObject(configMeta) ? configMeta : objectOf(raw.meta);
}

function tagsOf(raw: JsonObject): string[] {
  const tags = stringList(raw.tags);
  return tags.length > 0 ? tags : stringList(objectOf(raw.config).tags);
}

function enabledOf(raw: JsonObject): boolean {
  return booleanOrNull(objectOf(raw.config).enabled) ?? true;
}

const columnFields = new Set(['name', 'description', 'data_type', 'meta', 'tags', 'constraints', 'quote']);

/** `columns` is a dict keyed by name in every version; an array is accepted too. */
export function normalizeColumns(value: unknown): DbtColumn[] {
  const entries: [string | null, unknown][] = Array.isArray(value)
    ? value.map((column) => [null, column])
    : Object.entries(objectOf(value));
  const columns: DbtColumn[] = [];
  for (const [key, column] of entries) {
    if (!isObject(column)) continue;
    const name = stringOrNull(column.name) ?? key;
    if (name === null) continue;
    columns.push({
      name,
      description: stringOr(column.description, ''),
      dataType: stringOrNull(column.data_type),
      meta: objectOf(column.meta),
      tags: stringList(column.tags),
      constraints: objectList(column.constraints),
      quote: booleanOrNull(column.quote),
      extra: extraFields(column, columnFields),
    });
  }
  return columns;
}

const nodeFields = knownSet(
  'database',
  'schema',
  'alias',
  'relation_name',
  'description',
  'columns',
  'meta',
  'tags',
  'config',
  'depends_on',
  'raw_code',
  'raw_sql',
  'compiled_code',
  'compiled_sql',
  'language',
  'checksum',
  'access',
  'group',
  'version',
  'latest_version',
  'contract',
  'deprecation_date',
  'primary_key',
  'created_at',
  'patch_path',
  'doc_blocks',
);

export function normalizeNode(raw: JsonObject, key: string | null): DbtNode {
  const uniqueId = uniqueIdOf(raw, key);
  const config = objectOf(raw.config);
  const dependsOn = objectOf(raw.depends_on);
  const rawCode = stringOrNull(raw.raw_code) ?? stringOrNull(raw.raw_sql);
  const originalFilePath = stringOrNull(raw.original_file_path);
  const checksum = objectOrNull(raw.checksum);
  const contract = objectOrNull(raw.contract) ?? objectOrNull(config.contract);
  return {
    uniqueId,
    resourceType: resourceTypeOf(raw, uniqueId),
    name: stringOr(raw.name, uniqueId.split('.').pop() ?? uniqueId),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath,
    patchPath: stringOrNull(raw.patch_path),
    fqn: stringList(raw.fqn),
    database: stringOrNull(raw.database),
    schema: stringOrNull(raw.schema),
    alias: stringOrNull(raw.alias) ?? stringOrNull(raw.name),
    relationName: stringOrNull(raw.relation_name),
    materialized: stringOrNull(config.materialized),
    enabled: enabledOf(raw),
    description: stringOr(raw.description, ''),
    columns: normalizeColumns(raw.columns),
    meta: metaOf(raw),
    tags: tagsOf(raw),
    config,
    quoting: quotingOf(config.quoting),
    dependsOn: stringList(dependsOn.nodes),
    dependsOnMacros: stringList(dependsOn.macros),
    rawCode,
    compiledCode: stringOrNull(raw.compiled_code) ?? stringOrNull(raw.compiled_sql),
    language: stringOrNull(raw.language),
    checksum: checksum
      ? { name: stringOr(checksum.name, ''), checksum: stringOr(checksum.checksum, '') }
      : null,
    access: stringOrNull(raw.access) ?? stringOrNull(config.access),
    group: stringOrNull(raw.group) ?? stringOrNull(config.group),
    version: versionOrNull(raw.version),
    latestVersion: versionOrNull(raw.latest_version),
    contractEnforced: booleanOrNull(contract?.enforced) ?? false,
    deprecationDate: stringOrNull(raw.deprecation_date),
    primaryKey: stringList(raw.primary_key),
    createdAt: numberOrNull(raw.created_at),
    isExternal: rawCode === '' && originalFilePath === '' && isModelLike(resourceTypeOf(raw, uniqueId)),
    docBlocks: stringList(raw.doc_blocks),
    extra: extraFields(raw, nodeFields),
  };
}

function isModelLike(resourceType: string): boolean {
  return resourceType === 'model' || resourceType === 'snapshot' || resourceType === 'seed';
}

const testFields = knownSet(
  'test_metadata',
  'column_name',
  'attached_node',
  'depends_on',
  'config',
  'raw_code',
  'raw_sql',
  'compiled_code',
  'compiled_sql',
  'description',
  'tags',
  'meta',
  'database',
  'schema',
  'alias',
  'relation_name',
  'file_key_name',
  'created_at',
  // Tests never document columns; dbt writes an empty dict.
  'columns',
);

export function normalizeTest(raw: JsonObject, key: string | null): DbtTest {
  const uniqueId = uniqueIdOf(raw, key);
  const config = objectOf(raw.config);
  const metadata = objectOrNull(raw.test_metadata);
  const kwargs = objectOf(metadata?.kwargs);
  const testKind = metadata ? 'generic' : 'singular';
  const dependsOn = dependsOnNodes(raw);
  const severity = stringOrNull(config.severity);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    testKind,
    testName: stringOrNull(metadata?.name),
    namespace: stringOrNull(metadata?.namespace),
    kwargs,
    columnName: stringOrNull(raw.column_name) ?? stringOrNull(kwargs.column_name),
    attachedNodeId: attachedNodeOf(raw, testKind, kwargs, dependsOn),
    dependsOn,
    severity: severity ? severity.toLowerCase() : null,
    enabled: enabledOf(raw),
    config,
    rawCode: stringOrNull(raw.raw_code) ?? stringOrNull(raw.raw_sql),
    compiledCode: stringOrNull(raw.compiled_code) ?? stringOrNull(raw.compiled_sql),
    description: stringOr(raw.description, ''),
    tags: tagsOf(raw),
    meta: metaOf(raw),
    database: stringOrNull(raw.database),
    schema: stringOrNull(raw.schema),
    alias: stringOrNull(raw.alias),
    relationName: stringOrNull(raw.relation_name),
    fileKeyName: stringOrNull(raw.file_key_name),
    createdAt: numberOrNull(raw.created_at),
    extra: extraFields(raw, testFields),
  };
}

/**
 * The resource a test belongs to. dbt 1.5+ (v9) writes `attached_node`. Before that: the `ref(...)` or
 * `source(...)` in `kwargs.model` matched against `depends_on.nodes` (a relationships test depends on two
 * models; the one in `model` is the tested one), else the first dependency. A singular test has no
 * attachment in dbt; it gets its dependency when it reads exactly one.
 */
function attachedNodeOf(
  raw: JsonObject,
  testKind: 'generic' | 'singular',
  kwargs: JsonObject,
  dependsOn: string[],
): string | null {
  const attached = stringOrNull(raw.attached_node);
  if (attached) return attached;
  const candidates = dependsOn.filter((id) => !id.startsWith('macro.'));
  if (testKind === 'singular') return candidates.length === 1 ? candidates[0]! : null;
  const ref = refTarget(kwargs.model);
  if (ref) {
    const match = candidates.find((id) => {
      const parts = id.split('.');
      if (parts[0] === 'source' || parts[2] !== ref.name) return false;
      if (ref.package !== null && parts[1] !== ref.package) return false;
      return ref.version === null || parts[3] === `v${ref.version}`;
    });
    if (match) return match;
  }
  const source = sourceTarget(kwargs.model);
  if (source) {
    const match = candidates.find((id) => {
      const parts = id.split('.');
      return parts[0] === 'source' && parts[2] === source.sourceName && parts[3] === source.tableName;
    });
    if (match) return match;
  }
  return candidates[0] ?? null;
}

const unitTestFields = knownSet(
  'model',
  'given',
  'expect',
  'overrides',
  'versions',
  'version',
  'depends_on',
  'description',
  'tags',
  'meta',
  'config',
);

export function normalizeUnitTest(raw: JsonObject, key: string | null): DbtUnitTest {
  const uniqueId = uniqueIdOf(raw, key);
  const modelName = stringOrNull(raw.model);
  const dependsOn = dependsOnNodes(raw);
  const version = versionOrNull(raw.version);
  const modelUniqueId =
    dependsOn.find((id) => {
      const parts = id.split('.');
      return (
        parts[0] === 'model' && parts[2] === modelName && (version === null || parts[3] === `v${version}`)
      );
    }) ??
    dependsOn.find((id) => id.startsWith('model.')) ??
    null;
  const config = objectOf(raw.config);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    modelName,
    modelUniqueId,
    given: objectList(raw.given),
    expect: objectOrNull(raw.expect),
    overrides: objectOrNull(raw.overrides),
    versions: objectOrNull(raw.versions),
    version,
    dependsOn,
    description: stringOr(raw.description, ''),
    tags: tagsOf(raw),
    meta: metaOf(raw),
    config,
    extra: extraFields(raw, unitTestFields),
  };
}

function periodOf(value: unknown): DbtFreshnessPeriod | null {
  const period = objectOrNull(value);
  if (!period) return null;
  const count = numberOrNull(period.count);
  // dbt writes "not configured" as {"count": null, "period": null}.
  if (count === null) return null;
  return { count, period: stringOrNull(period.period) };
}

export function freshnessCriteriaOf(value: unknown): DbtFreshnessCriteria {
  const criteria = objectOf(value);
  return {
    warnAfter: periodOf(criteria.warn_after),
    errorAfter: periodOf(criteria.error_after),
    filter: stringOrNull(criteria.filter),
  };
}

const sourceFields = knownSet(
  'source_name',
  'identifier',
  'database',
  'schema',
  'relation_name',
  'loader',
  'loaded_at_field',
  'loaded_at_query',
  'freshness',
  'description',
  'source_description',
  'columns',
  'meta',
  'source_meta',
  'tags',
  'external',
  'quoting',
  'config',
  'created_at',
);

export function normalizeSource(raw: JsonObject, key: string | null): DbtSource {
  const uniqueId = uniqueIdOf(raw, key);
  const config = objectOf(raw.config);
  const name = stringOr(raw.name, uniqueId.split('.').pop() ?? uniqueId);
  return {
    uniqueId,
    sourceName: stringOr(raw.source_name, uniqueId.split('.')[2] ?? ''),
    name,
    identifier: nonEmptyString(raw.identifier) ?? name,
    database: stringOrNull(raw.database),
    schema: stringOrNull(raw.schema),
    relationName: stringOrNull(raw.relation_name),
    loader: nonEmptyString(raw.loader),
    loadedAtField: stringOrNull(raw.loaded_at_field) ?? stringOrNull(config.loaded_at_field),
    loadedAtQuery: stringOrNull(raw.loaded_at_query) ?? stringOrNull(config.loaded_at_query),
    freshness: freshnessCriteriaOf(raw.freshness ?? config.freshness),
    description: stringOr(raw.description, ''),
    sourceDescription: stringOr(raw.source_description, ''),
    columns: normalizeColumns(raw.columns),
    meta: metaOf(raw),
    sourceMeta: objectOf(raw.source_meta),
    tags: tagsOf(raw),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    enabled: enabledOf(raw),
    external: objectOrNull(raw.external),
    quoting: quotingOf(raw.quoting),
    config,
    createdAt: numberOrNull(raw.created_at),
    extra: extraFields(raw, sourceFields),
  };
}

export function ownerOf(value: unknown): DbtOwner {
  const owner = objectOf(value);
  return { name: stringOrNull(owner.name), email: stringList(owner.email) };
}

const exposureFields = knownSet(
  'label',
  'type',
  'maturity',
  'url',
  'description',
  'owner',
  'depends_on',
  'meta',
  'tags',
  'config',
  'created_at',
);

export function normalizeExposure(raw: JsonObject, key: string | null): DbtExposure {
  const uniqueId = uniqueIdOf(raw, key);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId),
    label: stringOrNull(raw.label),
    type: stringOrNull(raw.type),
    maturity: stringOrNull(raw.maturity),
    url: stringOrNull(raw.url),
    description: stringOr(raw.description, ''),
    owner: ownerOf(raw.owner),
    dependsOn: dependsOnNodes(raw),
    meta: metaOf(raw),
    tags: tagsOf(raw),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    enabled: enabledOf(raw),
    config: objectOf(raw.config),
    createdAt: numberOrNull(raw.created_at),
    extra: extraFields(raw, exposureFields),
  };
}

/** The fields that make up each era's metric specification, copied into `definition`. */
const definitionFields: Record<DbtMetricStyle, readonly string[]> = {
  legacy: ['type', 'sql', 'timestamp', 'time_grains', 'dimensions', 'filters', 'window', 'model'],
  calculation_method: [
    'calculation_method',
    'expression',
    'timestamp',
    'time_grains',
    'dimensions',
    'filters',
    'window',
    'model',
  ],
  metricflow: ['type', 'type_params', 'filter', 'time_granularity'],
};

const metricFields = knownSet(
  'label',
  'description',
  ...new Set(Object.values(definitionFields).flat()),
  'depends_on',
  'meta',
  'tags',
  'config',
  'group',
);

function measureName(value: unknown): string | null {
  return typeof value === 'string' ? value : stringOrNull(objectOf(value).name);
}

export function normalizeMetric(raw: JsonObject, key: string | null): DbtMetric {
  const uniqueId = stringOrNull(raw.unique_id) ?? key;
  const style: DbtMetricStyle = isObject(raw.type_params)
    ? 'metricflow'
    : raw.calculation_method !== undefined
      ? 'calculation_method'
      : 'legacy';
  const definition: JsonObject = {};
  for (const field of definitionFields[style]) {
    if (field in raw) definition[field] = raw[field];
  }
  const typeParams = objectOf(raw.type_params);
  let inputMeasures = objectList(typeParams.input_measures)
    .map((measure) => measureName(measure))
    .filter((name): name is string => name !== null);
  if (inputMeasures.length === 0) {
    const single = measureName(typeParams.measure);
    if (single) inputMeasures = [single];
  }
  const calculation =
    style === 'calculation_method' ? stringOrNull(raw.calculation_method) : stringOrNull(raw.type);
  const expression =
    style === 'legacy'
      ? stringOrNull(raw.sql)
      : style === 'calculation_method'
        ? stringOrNull(raw.expression)
        : stringOrNull(typeParams.expr);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId ?? ''),
    label: stringOrNull(raw.label),
    description: stringOr(raw.description, ''),
    style,
    calculation,
    expression,
    modelName: refTarget(raw.model)?.name ?? null,
    inputMeasures,
    definition,
    dependsOn: dependsOnNodes(raw),
    meta: metaOf(raw),
    tags: tagsOf(raw),
    group: stringOrNull(raw.group) ?? stringOrNull(objectOf(raw.config).group),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    extra: extraFields(raw, metricFields),
  };
}

const entityFields = new Set(['name', 'type', 'expr', 'role', 'description', 'label']);
const dimensionFields = new Set(['name', 'type', 'expr', 'is_partition', 'description', 'label']);
const measureFields = new Set([
  'name',
  'agg',
  'expr',
  'agg_time_dimension',
  'create_metric',
  'description',
  'label',
]);

function entityOf(raw: JsonObject): DbtSemanticEntity {
  return {
    name: stringOr(raw.name, ''),
    type: stringOrNull(raw.type),
    expr: exprOf(raw.expr),
    role: stringOrNull(raw.role),
    description: stringOrNull(raw.description),
    label: stringOrNull(raw.label),
    extra: extraFields(raw, entityFields),
  };
}

function dimensionOf(raw: JsonObject): DbtSemanticDimension {
  const typeParams = objectOf(raw.type_params);
  return {
    name: stringOr(raw.name, ''),
    type: stringOrNull(raw.type),
    expr: exprOf(raw.expr),
    isPartition: booleanOrNull(raw.is_partition) ?? false,
    timeGranularity: stringOrNull(typeParams.time_granularity),
    description: stringOrNull(raw.description),
    label: stringOrNull(raw.label),
    extra: extraFields(raw, dimensionFields),
  };
}

function measureOf(raw: JsonObject): DbtSemanticMeasure {
  return {
    name: stringOr(raw.name, ''),
    agg: stringOrNull(raw.agg),
    expr: exprOf(raw.expr),
    aggTimeDimension: stringOrNull(raw.agg_time_dimension),
    createMetric: booleanOrNull(raw.create_metric) ?? false,
    description: stringOrNull(raw.description),
    label: stringOrNull(raw.label),
    extra: extraFields(raw, measureFields),
  };
}

/** `expr` may be a number (`expr: 1` for a count measure). */
function exprOf(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return stringOrNull(value);
}

const semanticModelFields = knownSet(
  'label',
  'description',
  'model',
  'node_relation',
  'primary_entity',
  'defaults',
  'entities',
  'dimensions',
  'measures',
  'depends_on',
  'config',
  'meta',
  'group',
);

export function normalizeSemanticModel(raw: JsonObject, key: string | null): DbtSemanticModel {
  const relation = objectOrNull(raw.node_relation);
  return {
    uniqueId: stringOrNull(raw.unique_id) ?? key,
    name: stringOr(raw.name, key ?? ''),
    label: stringOrNull(raw.label),
    description: stringOr(raw.description, ''),
    modelName: refTarget(raw.model)?.name ?? null,
    nodeRelation: relation
      ? {
          alias: stringOrNull(relation.alias),
          schemaName: stringOrNull(relation.schema_name),
          database: stringOrNull(relation.database),
          relationName: stringOrNull(relation.relation_name),
        }
      : null,
    primaryEntity: stringOrNull(raw.primary_entity),
    defaultAggTimeDimension: stringOrNull(objectOf(raw.defaults).agg_time_dimension),
    entities: objectList(raw.entities).map(entityOf),
    dimensions: objectList(raw.dimensions).map(dimensionOf),
    measures: objectList(raw.measures).map(measureOf),
    dependsOn: dependsOnNodes(raw),
    meta: metaOf(raw),
    group: stringOrNull(raw.group) ?? stringOrNull(objectOf(raw.config).group),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    extra: extraFields(raw, semanticModelFields),
  };
}

const savedQueryFields = knownSet(
  'label',
  'description',
  'query_params',
  'exports',
  'depends_on',
  'config',
  'meta',
  'tags',
  'group',
);

/** `where` is `{where_filters: [{where_sql_template}]}` in dbt, a list of strings in some hand-written files. */
function whereFilters(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    return value
      .map((filter) =>
        typeof filter === 'string' ? filter : stringOrNull(objectOf(filter).where_sql_template),
      )
      .filter((filter): filter is string => filter !== null);
  }
  if (isObject(value)) return whereFilters(value.where_filters);
  return [];
}

export function normalizeSavedQuery(raw: JsonObject, key: string | null): DbtSavedQuery {
  const params = objectOf(raw.query_params);
  const config = objectOf(raw.config);
  return {
    uniqueId: stringOrNull(raw.unique_id) ?? key,
    name: stringOr(raw.name, key ?? ''),
    label: stringOrNull(raw.label),
    description: stringOr(raw.description, ''),
    metrics: stringList(params.metrics),
    groupBy: stringList(params.group_by),
    where: whereFilters(params.where),
    orderBy: stringList(params.order_by),
    limit: numberOrNull(params.limit),
    exports: objectList(raw.exports).map((entry) => {
      const exportConfig = objectOf(entry.config);
      return {
        name: stringOr(entry.name, ''),
        exportAs: stringOrNull(exportConfig.export_as),
        database: stringOrNull(exportConfig.database),
        schema: stringOrNull(exportConfig.schema_name) ?? stringOrNull(exportConfig.schema),
        alias: stringOrNull(exportConfig.alias),
      };
    }),
    dependsOn: dependsOnNodes(raw),
    meta: metaOf(raw),
    tags: tagsOf(raw),
    group: stringOrNull(raw.group) ?? stringOrNull(config.group),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    fqn: stringList(raw.fqn),
    extra: extraFields(raw, savedQueryFields),
  };
}

const groupFields = knownSet('owner', 'description', 'config');

export function normalizeGroup(raw: JsonObject, key: string | null): DbtGroup {
  const uniqueId = uniqueIdOf(raw, key);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId.split('.').pop() ?? uniqueId),
    owner: ownerOf(raw.owner),
    description: stringOrNull(raw.description),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    meta: objectOf(objectOf(raw.config).meta),
    extra: extraFields(raw, groupFields),
  };
}

const docFields = knownSet('block_contents');

export function normalizeDocBlock(raw: JsonObject, key: string | null): DbtDocBlock {
  const uniqueId = uniqueIdOf(raw, key);
  return {
    uniqueId,
    name: stringOr(raw.name, uniqueId.split('.').pop() ?? uniqueId),
    packageName: stringOrNull(raw.package_name),
    path: stringOrNull(raw.path),
    originalFilePath: stringOrNull(raw.original_file_path),
    blockContents: stringOr(raw.block_contents, ''),
    extra: extraFields(raw, docFields),
  };
}
