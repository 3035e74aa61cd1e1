import 'reflect-metadata';
import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import { ConfigurationError } from '../config/index.js';
import { PinoNestLogger, type ServiceMetrics } from '../observability/index.js';
import { identityMiddleware } from './identity.middleware.js';
import {
  loadServiceConfig,
  type ServiceConfig,
  type ServiceDefinition,
  type SharedConfig,
} from './service-definition.js';
import { LOGGER, METRICS } from './tokens.js';

export interface RunOptions {
  /** false for processes that serve only health and metrics (workers). */
  requireIdentity?: boolean;
  /** Overrides the definition's port (workers listen on their own). */
  port?: number;
}

/** Loads config, or prints every problem at once and exits: a process with bad config must not half-start. */
export function configOrExit<Definition extends ServiceDefinition>(
  definition: Definition,
): ServiceConfig<Definition> {
  try {
    return loadServiceConfig(definition);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/** Boots a Nest application for a service process, with JSON logs, request metrics and graceful shutdown. */
export async function runNestApplication(
  definition: ServiceDefinition,
  config: SharedConfig,
  module: DynamicModule,
  options: RunOptions = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(module, { bufferLogs: true, bodyParser: true });
  const logger = app.get<Logger>(LOGGER);
  app.useLogger(new PinoNestLogger(logger));
  const metrics = app.get<ServiceMetrics>(METRICS);
  app.use(
    (
      request: { method: string; path: string },
      response: { statusCode: number; on: (event: string, listener: () => void) => void },
      next: () => void,
    ) => {
      const stop = metrics.httpRequestDuration.startTimer({ method: request.method });
      // Read the path now: routers mounted on a prefix rewrite it before the response finishes.
      const route = request.path.startsWith('/health')
        ? '/health'
        : request.path.split('/').slice(0, 3).join('/');
      response.on('finish', () => stop({ route, status: String(response.statusCode) }));
      next();
    },
  );
  if (options.requireIdentity !== false) {
    app.use(
      identityMiddleware(config.CARTOGRAPH_INTERNAL_SECRET, (reason, request) =>
        logger.warn({ path: request.path, reason }, 'refused a request without a valid gateway signature'),
      ),
    );
  }
  app.enableShutdownHooks();
  const port = options.port ?? config.PORT ?? definition.defaultPort;
  await app.listen(port, config.HOST);
  logger.info({ port, host: config.HOST }, `${definition.name} listening`);
  return app;
}
