export * from './catalog.jobs.js';
