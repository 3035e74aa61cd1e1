export * from './sync-run.entity.js';
export * from './sync-runs.repository.js';
