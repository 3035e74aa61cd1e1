export * from './event-stream.js';
export * from './outbox.publisher.js';
export * from './outbox.relay.js';
export * from './outbox.schema.js';
export * from './stream.consumer.js';
export * from './event-filter.js';
export * from './event-stream.hub.js';
