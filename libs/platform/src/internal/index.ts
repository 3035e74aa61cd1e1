export * from './dbt-artifacts.client.js';
