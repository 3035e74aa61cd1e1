import { jaffleShopProject, type JaffleShopOptions } from './jaffle-shop.project.js';
import { orderMetricsSavedQuery, ordersSemanticModel } from './manifest.fixture.js';

type Json = Record<string, unknown>;

/**
 * semantic_manifest.json (dbt 1.6+, MetricFlow's input) of the jaffle-shop-like project: no metadata, no
 * unique ids; top-level lists `semantic_models`, `metrics`, `project_configuration`, `saved_queries`.
 */
export function buildSemanticManifest(options: JaffleShopOptions = {}): Json {
  const project = jaffleShopProject(12, options);
  const context = { version: 12, project };
  const measure = (name: string) => ({
    name,
    filter: null,
    alias: null,
    join_to_timespine: false,
    fill_nulls_with: null,
  });
  const metric = (name: string, label: string, typeParams: Json, type = 'simple'): Json => ({
    name,
    description: label,
    type,
    type_params: {
      measure: null,
      input_measures: [],
      numerator: null,
      denominator: null,
      expr: null,
      window: null,
      grain_to_date: null,
      metrics: [],
      conversion_type_params: null,
      cumulative_type_params: null,
      ...typeParams,
    },
    filter: null,
    metadata: null,
    label,
    config: { meta: {} },
    time_granularity: null,
  });
  return {
    semantic_models: [ordersSemanticModel(context, false)],
    metrics: [
      metric('order_count', 'Orders', {
        measure: measure('order_count'),
        input_measures: [measure('order_count')],
      }),
      metric('order_total', 'Order total', {
        measure: measure('order_total'),
        input_measures: [measure('order_total')],
      }),
    ],
    project_configuration: {
      time_spine_table_configurations: [],
      metadata: null,
      dsi_package_version: { major_version: '0', minor_version: '9', patch_version: '0' },
      time_spines: [
        {
          node_relation: {
            alias: 'metricflow_time_spine',
            schema_name: project.options.schema,
            database: project.options.database,
            relation_name: `"${project.options.database}"."${project.options.schema}"."metricflow_time_spine"`,
          },
          primary_column: { name: 'date_day', time_granularity: 'day' },
          custom_granularities: [],
        },
      ],
    },
    saved_queries: [orderMetricsSavedQuery(context, false)],
  };
}
