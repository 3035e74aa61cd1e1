export * from './redis.factory.js';
