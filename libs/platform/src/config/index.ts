export * from './define-config.js';
export * from './environment.models.js';
