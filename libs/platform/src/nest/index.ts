export * from './identity.middleware.js';
export * from './platform.controller.js';
export * from './platform.module.js';
export * from './run-service.js';
export * from './service-definition.js';
export * from './tokens.js';
export * from './worker-hosts.js';
