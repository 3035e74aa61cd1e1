export * from './sync-run.entity.js';
export * from './sync-runs.repository.js';
export * from './sync-run.model.js';
export * from './sync-run.view.js';
