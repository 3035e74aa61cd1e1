export * from './data-source.factory.js';
export * from './snake-naming.strategy.js';
