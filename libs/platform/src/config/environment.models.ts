import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

export const runtimeModel = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development').describe('Runtime mode.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  HOST: z
    .string()
    .default('127.0.0.1')
    .describe('Interface the HTTP server binds to (0.0.0.0 in containers).'),
  PORT: port.optional().describe('HTTP port; each service has its own default for local runs.'),
});

export const databaseModel = z.object({
  DATABASE_URL: z
    .string()
    .url()
    .describe('PostgreSQL URL. Every service uses its own schema in this one database.'),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe('Connections per process.'),
});

export const redisModel = z.object({
  REDIS_URL: z
    .string()
    .url()
    .describe('Redis URL (queues, the event stream, caches). Needs maxmemory-policy noeviction.'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9:_-]+$/)
    .default('cartograph')
    .describe('Prefix of every Redis key, so several installations can share one Redis.'),
});

export const securityModel = z.object({
  CARTOGRAPH_INTERNAL_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('HMAC key that signs the identity header from the gateway to the subgraphs. Secret.'),
  CARTOGRAPH_ENCRYPTION_KEY: z
    .string()
    .min(32, 'must be a base64 or hex encoded 32-byte key')
    .describe('AES-256-GCM key (base64 or hex, 32 bytes) encrypting vendor credentials at rest. Secret.'),
});

export const tracingModel = z.object({
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .url()
    .optional()
    .describe('OTLP/HTTP collector base URL; traces are exported only when set.'),
  OTEL_SERVICE_NAME: z.string().optional().describe('Overrides the service name in traces.'),
});

export const sharedModels = [runtimeModel, databaseModel, redisModel, securityModel, tracingModel] as const;

export { booleanFlag, port };
