export * from './process-supervisor.js';
export * from './service-registry.js';
