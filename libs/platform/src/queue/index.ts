export * from './job-handler.js';
export * from './job-queue.js';
export * from './job-worker.js';
export * from './sync-schedule.js';
