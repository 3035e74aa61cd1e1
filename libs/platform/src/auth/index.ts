export * from './api-key.js';
export * from './identity.js';
export * from './roles.js';
