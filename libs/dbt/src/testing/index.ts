export * from './byte-chunks.fixture.js';
export * from './catalog.fixture.js';
export * from './jaffle-shop.project.js';
export * from './large-manifest.fixture.js';
export * from './manifest.fixture.js';
export * from './run-results.fixture.js';
export * from './semantic-manifest.fixture.js';
export * from './sources.fixture.js';
