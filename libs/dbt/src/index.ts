export * from './artifact-kind.js';
export * from './artifact-read.error.js';
export * from './artifact-summary.js';
export * from './artifact.reader.js';
export * from './artifact.types.js';
export * from './dataset.mapping.js';
export * from './manifest.types.js';
export * from './results.types.js';
export { normalizeTableType } from './results.normalizer.js';
