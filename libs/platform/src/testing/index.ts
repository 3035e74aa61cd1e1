export * from './fake-upstream.js';
export * from './test-database.js';
