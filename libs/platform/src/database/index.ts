export * from './data-source.factory.js';
export * from './snake-naming.strategy.js';
export * from './unique-violation.js';
