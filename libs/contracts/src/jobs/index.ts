export * from './catalog.jobs.js';
export * from './dbt-artifacts.jobs.js';
export * from './dbt-cloud.jobs.js';
export * from './hex.jobs.js';
export * from './warehouse.jobs.js';
export * from './semantic-layer.jobs.js';
