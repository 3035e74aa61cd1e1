export * from './fake-upstream.js';
export * from './test-database.js';
export * from './committed-schema.js';
