export * from './safe-pattern.js';
