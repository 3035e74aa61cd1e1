export * from './define-event.js';
export * from './define-job.js';
export * from './events/index.js';
export * from './jobs/index.js';
