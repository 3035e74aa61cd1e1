export * from './connection.js';
export * from './errors.js';
export * from './json.scalar.js';
export * from './roles.guard.js';
export * from './subgraph.options.js';
export * from './data-loader.js';
export * from './sync-schedule.model.js';
export * from './connection-input.js';
