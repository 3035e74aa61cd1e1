import { createServer, type Server } from 'node:http';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { signIdentity, type Identity } from '@cartograph/platform/auth';
import { EventStreamHub } from '@cartograph/platform/events';
import { formatGraphqlError } from '@cartograph/platform/graphql';
import { createMetrics, runHealthChecks, redisCheck } from '@cartograph/platform/observability';
import { createRedis } from '@cartograph/platform/redis';
import { ApiKeyClient } from './auth/api-key.client.js';
import { Authenticator, credentialFrom } from './auth/authenticator.js';
import { subgraphUrlOverride, type GatewayConfig } from './gateway.config.js';
import { enforceQueryLimits } from './limits/query-limits.js';
import { proxyRequest } from './proxy/rest-proxy.js';
import { RedisKeyValueCache } from './redis-key-value.cache.js';
import { startSubscriptionServer } from './subscriptions/subscription.server.js';
import { createSubgraphFetcher } from './subgraph.client.js';
import { subgraphsOf } from './supergraph/subgraphs-of.js';

const unreachable =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up|fetch failed|other side closed/i;

function isUnreachableSubgraph(message: string, code: unknown): boolean {
  return unreachable.test(message) || (code === 'SUBREQUEST_HTTP_ERROR' && /5\d\d/.test(message));
}

interface GatewayContext {
  identity: Identity;
}

type AuthenticatedRequest = Request & { identity?: Identity };

export interface RunningGateway {
  server: Server;
  url: string;
  close(): Promise<void>;
}

/**
 * The single HTTP edge. A thin express app rather than a Nest module, because Apollo Gateway owns the
 * GraphQL request lifecycle and everything else here is middleware around it.
 */
export async function startGateway(
  config: GatewayConfig,
  supergraphSdl: string,
  logger: Logger,
): Promise<RunningGateway> {
  const metrics = createMetrics('gateway');
  const subgraphs = subgraphsOf(supergraphSdl).map((subgraph) => ({
    ...subgraph,
    url: subgraphUrlOverride(subgraph.name) ?? subgraph.url,
  }));
  const catalog = subgraphs.find((subgraph) => subgraph.name === 'catalog');
  if (!catalog) {
    throw new Error('The supergraph has no catalog subgraph, which owns API keys');
  }
  const baseOf = (url: string) => url.replace(/\/graphql\/?$/, '');
  const apiKeys = new ApiKeyClient(baseOf(catalog.url), config.CARTOGRAPH_INTERNAL_SECRET);
  const authenticator = new Authenticator({
    verifyApiKey: (key) => apiKeys.verify(key),
    cacheTtlSeconds: config.AUTH_KEY_CACHE_TTL_SECONDS,
    oidc: config.OIDC_ISSUER
      ? {
          issuer: config.OIDC_ISSUER,
          audience: config.OIDC_AUDIENCE,
          jwksUrl: config.OIDC_JWKS_URL,
          rolesClaim: config.OIDC_ROLES_CLAIM,
          defaultRole: config.OIDC_DEFAULT_ROLE,
        }
      : undefined,
  });
  const redis = createRedis({ url: config.REDIS_URL, name: 'cartograph-gateway' });
  const hub = new EventStreamHub(
    createRedis({ url: config.REDIS_URL, name: 'cartograph-gateway-events' }),
    config.REDIS_PREFIX,
    {
      onError: (error) => logger.warn({ err: error }, 'event stream read failed; retrying'),
    },
  );
  const limits = { maxDepth: config.QUERY_MAX_DEPTH, maxCost: config.QUERY_MAX_COST };

  const subgraphClient = createSubgraphFetcher();

  let apiSchema: GraphQLSchema | null = null;
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url: subgraphUrlOverride(name) ?? url,
        fetcher: subgraphClient.fetcher,
        willSendRequest: ({ request, context }) => {
          // Subgraphs trust nothing but this signature; the caller's own credential never leaves the gateway.
          for (const [header, value] of Object.entries(
            signIdentity(context.identity, config.CARTOGRAPH_INTERNAL_SECRET),
          )) {
            request.http?.headers.set(header, value);
          }
        },
      }),
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    apiSchema = schema;
  });

  const limitsPlugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, schema }) {
          if (operation) {
            enforceQueryLimits(limits, schema, document, operation, request.variables);
          }
        },
        async willSendResponse({ response, operationName }) {
          const failed =
            response.body.kind === 'single' && Boolean(response.body.singleResult.errors?.length);
          metrics.graphqlOperations.inc({
            operation: operationName ?? 'anonymous',
            outcome: failed ? 'error' : 'ok',
          });
        },
      };
    },
  };

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    cache: new RedisKeyValueCache(redis, `${config.REDIS_PREFIX}:apq:`, config.APQ_TTL_SECONDS),
    persistedQueries: { ttl: config.APQ_TTL_SECONDS },
    includeStacktraceInErrorResponses: false,
    introspection: true,
    plugins: [limitsPlugin, ApolloServerPluginLandingPageDisabled()],
    formatError: (formatted, error) => {
      // A subgraph that cannot be reached is an outage to report as such, not an internal error.
      if (isUnreachableSubgraph(formatted.message, formatted.extensions?.code)) {
        logger.warn({ err: error }, 'subgraph unreachable');
        return {
          message: 'A Cartograph service is unavailable; retry shortly',
          extensions: { code: 'UPSTREAM_UNAVAILABLE' },
          path: formatted.path,
        };
      }
      return formatGraphqlError(formatted as never, error, (original) =>
        logger.error({ err: original }, 'unexpected GraphQL error'),
      ) as never;
    },
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  app.use((request, response, next) => {
    const stop = metrics.httpRequestDuration.startTimer({ method: request.method });
    // Read the path now: routers mounted on a prefix rewrite it before the response finishes.
    const route = request.path.split('/').slice(0, 3).join('/');
    response.on('finish', () => stop({ route, status: String(response.statusCode) }));
    next();
  });
  const origins = config.CORS_ORIGINS.split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  app.use((request, response, next) => {
    const origin = request.headers.origin;
    if (origin && (origins.includes('*') || origins.includes(origin))) {
      response.setHeader('access-control-allow-origin', origins.includes('*') ? '*' : origin);
      response.setHeader('vary', 'Origin');
      response.setHeader(
        'access-control-allow-headers',
        'authorization, content-type, x-api-key, apollographql-client-name, apollographql-client-version',
      );
      response.setHeader('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
      response.setHeader('access-control-max-age', '600');
      if (request.method === 'OPTIONS') {
        response.status(204).end();
        return;
      }
    }
    next();
  });

  app.get('/health/live', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/health/ready', async (_request, response) => {
    const report = await runHealthChecks({
      redis: redisCheck(redis),
      supergraph: async () => {
        if (!apiSchema) {
          throw new Error('supergraph not loaded');
        }
      },
    });
    response.status(report.status === 'ok' ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_request, response) => {
    response.type('text/plain; version=0.0.4').send(await metrics.registry.metrics());
  });

  const authenticate = async (request: AuthenticatedRequest, response: Response, next: NextFunction) => {
    const result = await authenticator.authenticate(credentialFrom(request.headers));
    if (!result.ok) {
      const status = result.reason === 'unavailable' ? 503 : 401;
      response.status(status).json({
        errors: [
          {
            message: result.message,
            extensions: { code: status === 503 ? 'UPSTREAM_UNAVAILABLE' : 'UNAUTHENTICATED' },
          },
        ],
      });
      return;
    }
    request.identity = result.identity;
    next();
  };

  app.get('/api/status', authenticate, async (_request, response) => {
    const services = await Promise.all(
      subgraphs.map(async (subgraph) => {
        try {
          const answer = await fetch(`${baseOf(subgraph.url)}/health/ready`, {
            signal: AbortSignal.timeout(3_000),
          });
          const body = (await answer.json()) as { status: string; checks?: unknown };
          return { name: subgraph.name, status: body.status, checks: body.checks };
        } catch (error) {
          return { name: subgraph.name, status: 'unreachable', error: (error as Error).message };
        }
      }),
    );
    response.json({ gateway: 'ok', services });
  });

  app.all('/api/:service/{*rest}', authenticate, (request: AuthenticatedRequest, response) => {
    const subgraph = subgraphs.find((candidate) => candidate.name === request.params.service);
    if (!subgraph) {
      response
        .status(404)
        .json({ error: { code: 'NOT_FOUND', message: `No service "${String(request.params.service)}"` } });
      return;
    }
    const target = new URL(
      `${baseOf(subgraph.url)}${request.originalUrl.replace(`/api/${subgraph.name}`, '/api')}`,
    );
    proxyRequest(request, response, target, request.identity!, config.CARTOGRAPH_INTERNAL_SECRET, (error) =>
      logger.warn({ err: error, service: subgraph.name }, 'REST pass-through failed'),
    );
  });

  app.use(
    '/graphql',
    authenticate,
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => ({ identity: (req as AuthenticatedRequest).identity! }),
    }),
  );

  const server = createServer(app);
  const subscriptions = startSubscriptionServer({
    httpServer: server,
    path: '/graphql',
    schema: () => apiSchema,
    authenticator,
    hub,
    limits,
    logger,
  });
  hub.start();
  await new Promise<void>((resolve) => server.listen(config.PORT ?? 4000, config.HOST, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST}:${port}`;
  logger.info(
    { url: `${url}/graphql`, subgraphs: subgraphs.map((subgraph) => subgraph.name) },
    'gateway listening',
  );

  return {
    server,
    url,
    async close() {
      await subscriptions.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await apollo.stop();
      await hub.stop();
      await subgraphClient.close();
      redis.disconnect();
    },
  };
}
