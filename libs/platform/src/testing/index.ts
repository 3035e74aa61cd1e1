export * from './fake-upstream.js';
export * from './test-database.js';
export * from './committed-schema.js';
export * from './repository-root.js';
export * from './service-process.js';
export * from './stack.js';
export * from './private-redis.js';
export * from './private-postgres.js';
