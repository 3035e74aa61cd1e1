import { readFile } from 'node:fs/promises';
import type { GeneratedDbtProject } from './dbt-project.generator.js';

type Json = Record<string, any>;

const EXECUTED_TYPES = new Set(['model', 'seed', 'snapshot', 'test']);
const MODEL_STATUSES = new Set(['success', 'error', 'skipped']);
const TEST_STATUSES = new Set(['pass', 'fail', 'warn', 'error', 'skipped']);
const FRESHNESS_STATUSES = new Set(['pass', 'warn', 'error', 'runtime error']);

/**
 * Reads the four generated files whole (so only for projects that fit in a JS string, ≲ 40,000 models) and
 * checks that they agree with each other and with the generator's counts, the way an ingester relies on them:
 * every ref/source/depends_on resolves, parent_map and child_map are inverse, every catalog entry and run result
 * is a manifest node, every executed node has exactly one result. Returns the problems found (empty = fine).
 */
export async function checkDbtProject(project: GeneratedDbtProject): Promise<string[]> {
  const problems: string[] = [];
  const problem = (message: string) => {
    if (problems.length < 1_000) problems.push(message);
  };
  const read = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as Json;
  const manifest = await read(project.files.manifest);
  const catalog = await read(project.files.catalog);
  const runResults = await read(project.files.runResults);
  const sources = await read(project.files.sources);

  const expectVersion = (artifact: Json, name: string, version: number) => {
    const url = `https://schemas.getdbt.com/dbt/${name}/v${version}.json`;
    if (artifact.metadata?.dbt_schema_version !== url) {
      problem(
        `${name}: dbt_schema_version ${String(artifact.metadata?.dbt_schema_version)}, expected ${url}`,
      );
    }
  };
  expectVersion(manifest, 'manifest', 12);
  expectVersion(catalog, 'catalog', 1);
  expectVersion(runResults, 'run-results', 6);
  expectVersion(sources, 'sources', 3);

  const nodes = manifest.nodes as Record<string, Json>;
  const manifestSources = manifest.sources as Record<string, Json>;
  const byType = new Map<string, Json[]>();
  for (const node of Object.values(nodes)) {
    byType.set(node.resource_type, [...(byType.get(node.resource_type) ?? []), node]);
  }
  const count = (type: string) => byType.get(type)?.length ?? 0;
  const { counts } = project;
  const compare = (label: string, actual: number, expected: number) => {
    if (actual !== expected) problem(`count of ${label}: ${actual} in the files, ${expected} reported`);
  };
  compare('models', count('model'), counts.models);
  compare('seeds', count('seed'), counts.seeds);
  compare('snapshots', count('snapshot'), counts.snapshots);
  compare('tests', count('test'), counts.tests);
  compare('sources', Object.keys(manifestSources).length, counts.sources);
  compare('exposures', Object.keys(manifest.exposures).length, counts.exposures);
  compare('macros', Object.keys(manifest.macros).length, counts.macros);
  compare('semantic models', Object.keys(manifest.semantic_models).length, counts.semanticModels);
  compare('metrics', Object.keys(manifest.metrics).length, counts.metrics);
  compare('saved queries', Object.keys(manifest.saved_queries).length, counts.savedQueries);
  compare('unit tests', Object.keys(manifest.unit_tests).length, counts.unitTests);
  compare(
    'documented columns',
    [...Object.values(nodes), ...Object.values(manifestSources)].reduce(
      (sum, node) => sum + Object.keys(node.columns ?? {}).length,
      0,
    ),
    counts.columns,
  );

  // Every ref(), source(), depends_on.nodes and depends_on.macros resolves.
  const refable = new Map<string, string>();
  for (const node of Object.values(nodes)) {
    if (['model', 'seed', 'snapshot'].includes(node.resource_type)) {
      if (refable.has(node.name)) problem(`two ref()able nodes named ${node.name}`);
      refable.set(node.name, node.unique_id);
    }
  }
  const sourceKeys = new Map(
    Object.values(manifestSources).map((source) => [
      `${source.source_name}.${source.name}`,
      source.unique_id,
    ]),
  );
  const everything = new Set<string>([
    ...Object.keys(nodes),
    ...Object.keys(manifestSources),
    ...Object.keys(manifest.exposures),
    ...Object.keys(manifest.metrics),
    ...Object.keys(manifest.semantic_models),
    ...Object.keys(manifest.saved_queries),
    ...Object.keys(manifest.unit_tests),
  ]);
  const checkDependencies = (owner: Json, key: string) => {
    for (const ref of owner.refs ?? []) {
      if (!refable.has(ref.name)) problem(`${key}: ref('${ref.name}') resolves to nothing`);
    }
    for (const [sourceName, table] of owner.sources ?? []) {
      if (!sourceKeys.has(`${sourceName}.${table}`))
        problem(`${key}: source('${sourceName}', '${table}') resolves to nothing`);
    }
    for (const dependency of owner.depends_on?.nodes ?? []) {
      if (!everything.has(dependency)) problem(`${key}: depends_on.nodes ${dependency} does not exist`);
    }
    for (const macro of owner.depends_on?.macros ?? []) {
      if (!manifest.macros[macro]) problem(`${key}: depends_on.macros ${macro} does not exist`);
    }
    const refIds = (owner.refs ?? []).map((ref: Json) => refable.get(ref.name));
    const sourceIds = (owner.sources ?? []).map(([s, t]: string[]) => sourceKeys.get(`${s}.${t}`));
    const declared = new Set([...refIds, ...sourceIds]);
    for (const dependency of owner.depends_on?.nodes ?? []) {
      if (
        (owner.refs || owner.sources) &&
        !declared.has(dependency) &&
        !dependency.startsWith('metric.') &&
        !dependency.startsWith('semantic_model.')
      ) {
        problem(`${key}: depends on ${dependency} without a ref() or source() to it`);
      }
    }
  };
  for (const [key, node] of Object.entries(nodes)) {
    if (node.unique_id !== key) problem(`${key}: unique_id ${node.unique_id}`);
    checkDependencies(node, key);
    if (node.resource_type === 'test' && node.test_metadata) {
      if (!everything.has(node.attached_node))
        problem(`${key}: attached_node ${node.attached_node} does not exist`);
      const to = /ref\('([^']+)'\)/.exec(node.test_metadata.kwargs?.to ?? '')?.[1];
      if (node.test_metadata.kwargs?.to && (!to || !refable.has(to)))
        problem(`${key}: relationships to ${node.test_metadata.kwargs.to} resolves to nothing`);
    }
  }
  for (const section of ['exposures', 'metrics', 'semantic_models', 'saved_queries', 'unit_tests']) {
    for (const [key, node] of Object.entries(manifest[section] as Record<string, Json>)) {
      checkDependencies(node, key);
    }
  }
  for (const macro of Object.values(manifest.macros as Record<string, Json>)) {
    for (const dependency of macro.depends_on.macros) {
      if (!manifest.macros[dependency]) problem(`${macro.unique_id}: depends on missing macro ${dependency}`);
    }
  }
  for (const key of Object.keys(manifest.disabled)) {
    if (everything.has(key)) problem(`${key} is both disabled and enabled`);
  }

  // parent_map covers every edge member with its depends_on.nodes; child_map is its inverse.
  const parentMap = manifest.parent_map as Record<string, string[]>;
  const childMap = manifest.child_map as Record<string, string[]>;
  for (const key of everything) {
    if (!parentMap[key]) problem(`parent_map has no entry for ${key}`);
    if (!childMap[key]) problem(`child_map has no entry for ${key}`);
  }
  const dependencies = (key: string): string[] =>
    nodes[key]?.depends_on?.nodes ??
    manifest.exposures[key]?.depends_on.nodes ??
    manifest.metrics[key]?.depends_on.nodes ??
    manifest.semantic_models[key]?.depends_on.nodes ??
    manifest.saved_queries[key]?.depends_on.nodes ??
    manifest.unit_tests[key]?.depends_on.nodes ??
    [];
  const inverse = new Map<string, Set<string>>();
  for (const [key, parents] of Object.entries(parentMap)) {
    if (!everything.has(key)) problem(`parent_map key ${key} is no node`);
    const expected = [...new Set(dependencies(key))].sort();
    if (JSON.stringify(expected) !== JSON.stringify(parents))
      problem(`parent_map[${key}] = ${JSON.stringify(parents)}, depends_on says ${JSON.stringify(expected)}`);
    for (const parent of parents) {
      if (!inverse.has(parent)) inverse.set(parent, new Set());
      inverse.get(parent)!.add(key);
    }
  }
  for (const [key, children] of Object.entries(childMap)) {
    const expected = [...(inverse.get(key) ?? [])].sort();
    if (JSON.stringify(expected) !== JSON.stringify(children))
      problem(`child_map[${key}] does not mirror parent_map`);
  }
  for (const [group, members] of Object.entries(manifest.group_map as Record<string, string[]>)) {
    for (const member of members) {
      if (nodes[member]?.group !== group) problem(`group_map ${group}: ${member} is not in that group`);
    }
  }

  // catalog.json: exactly the non-ephemeral models, seeds and snapshots, and the sources, with their columns.
  const catalogNodes = catalog.nodes as Record<string, Json>;
  const materialised = Object.values(nodes).filter(
    (node) =>
      ['model', 'seed', 'snapshot'].includes(node.resource_type) && node.config.materialized !== 'ephemeral',
  );
  compare('catalog nodes', Object.keys(catalogNodes).length, materialised.length);
  compare('catalog nodes (reported)', Object.keys(catalogNodes).length, counts.catalogNodes);
  compare('catalog sources', Object.keys(catalog.sources).length, Object.keys(manifestSources).length);
  const checkCatalog = (key: string, entry: Json, node: Json | undefined) => {
    if (!node) {
      problem(`catalog: ${key} is not in the manifest`);
      return;
    }
    if (entry.unique_id !== key) problem(`catalog: ${key} has unique_id ${entry.unique_id}`);
    const name = String(node.alias ?? node.identifier ?? node.name).toLowerCase();
    if (
      String(entry.metadata.name).toLowerCase() !== name ||
      String(entry.metadata.schema).toLowerCase() !== String(node.schema).toLowerCase()
    ) {
      problem(
        `catalog: ${key} is ${entry.metadata.schema}.${entry.metadata.name}, the manifest says ${node.schema}.${name}`,
      );
    }
    const warehouseColumns = new Set(Object.keys(entry.columns).map((column) => column.toLowerCase()));
    for (const column of Object.keys(node.columns ?? {})) {
      if (!warehouseColumns.has(column.toLowerCase()))
        problem(`catalog: ${key} lacks documented column ${column}`);
    }
    const indexes = Object.values(entry.columns as Record<string, Json>).map((column) => column.index);
    if (indexes.some((index, position) => index !== position + 1))
      problem(`catalog: ${key} column indexes are not 1..n`);
  };
  for (const [key, entry] of Object.entries(catalogNodes)) {
    checkCatalog(key, entry, nodes[key]);
    if (nodes[key]?.config.materialized === 'ephemeral') problem(`catalog: ephemeral ${key} has an entry`);
  }
  for (const [key, entry] of Object.entries(catalog.sources as Record<string, Json>)) {
    checkCatalog(key, entry, manifestSources[key]);
  }
  compare(
    'catalog columns',
    [...Object.values(catalogNodes), ...Object.values(catalog.sources as Record<string, Json>)].reduce(
      (sum, entry) => sum + Object.keys(entry.columns).length,
      0,
    ),
    counts.catalogColumns,
  );

  // run_results.json of `dbt build`: one result per executed node, tests pass or fail as planned.
  if (runResults.args?.which !== 'build') problem(`run_results: args.which is ${runResults.args?.which}`);
  if (runResults.metadata.invocation_id !== manifest.metadata.invocation_id)
    problem('run_results and manifest come from different invocations');
  const seen = new Set<string>();
  let failing = 0;
  for (const result of runResults.results as Json[]) {
    const node = nodes[result.unique_id] ?? manifest.unit_tests[result.unique_id];
    if (!node) {
      problem(`run_results: ${result.unique_id} is not a node or unit test`);
      continue;
    }
    if (seen.has(result.unique_id)) problem(`run_results: ${result.unique_id} appears twice`);
    seen.add(result.unique_id);
    const isTest = node.resource_type === 'test' || node.resource_type === 'unit_test';
    if (!(isTest ? TEST_STATUSES : MODEL_STATUSES).has(result.status))
      problem(`run_results: ${result.unique_id} has status ${result.status}`);
    if (result.status === 'fail') {
      failing += 1;
      if (
        result.message !==
        `Got ${result.failures} result${result.failures === 1 ? '' : 's'}, configured to fail if != 0`
      ) {
        problem(`run_results: ${result.unique_id} fails with message ${JSON.stringify(result.message)}`);
      }
    }
    if (!Array.isArray(result.timing) || result.timing.length !== 2)
      problem(`run_results: ${result.unique_id} timing`);
  }
  for (const node of [
    ...Object.values(nodes),
    ...Object.values(manifest.unit_tests as Record<string, Json>),
  ]) {
    const executed =
      (EXECUTED_TYPES.has(node.resource_type) && node.config?.materialized !== 'ephemeral') ||
      node.resource_type === 'unit_test';
    if (executed && !seen.has(node.unique_id)) problem(`run_results: no result for ${node.unique_id}`);
  }
  compare('run results', seen.size, counts.runResults);
  compare('failing tests', failing, counts.failingTests);

  // sources.json: freshness of configured sources, with mixed statuses.
  const statuses = new Set<string>();
  for (const result of sources.results as Json[]) {
    const source = manifestSources[result.unique_id];
    if (!source) problem(`sources.json: ${result.unique_id} is not a manifest source`);
    if (!FRESHNESS_STATUSES.has(result.status))
      problem(`sources.json: ${result.unique_id} has status ${result.status}`);
    if (source && source.freshness.warn_after.count === null)
      problem(`sources.json: ${result.unique_id} has no freshness configured`);
    statuses.add(result.status);
  }
  compare('freshness results', sources.results.length, counts.freshnessResults);
  if (sources.results.length >= 20 && statuses.size < 3)
    problem(`sources.json: statuses not mixed (${[...statuses].join(', ')})`);
  return problems;
}
