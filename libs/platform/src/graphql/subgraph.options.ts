import { ApolloFederationDriver, type ApolloFederationDriverConfig } from '@nestjs/apollo';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { Request } from 'express';
import type { Identity } from '../auth/identity.js';
import { formatGraphqlError } from './errors.js';
import { JSONScalar } from './json.scalar.js';

export interface SubgraphContext {
  req: Request & { identity?: Identity };
  identity: Identity;
}

export interface SubgraphSettings {
  /** Absolute path of the committed SDL (`services/<name>/schema.graphql`), rewritten at boot in development. */
  schemaFile: string | false;
  logError: (error: unknown) => void;
  orphanedTypes?: (abstract new (...args: never[]) => unknown)[];
}

/**
 * The defaults every subgraph shares: Federation 2 code-first, sorted SDL (stable diffs), no stack traces
 * or inline traces, error codes of DESIGN §6, and the gateway-verified identity in the context.
 */
export function subgraphOptions(settings: SubgraphSettings): ApolloFederationDriverConfig {
  return {
    driver: ApolloFederationDriver,
    autoSchemaFile: settings.schemaFile ? { path: settings.schemaFile, federation: 2 } : { federation: 2 },
    sortSchema: true,
    path: '/graphql',
    playground: false,
    graphiql: false,
    introspection: true,
    includeStacktraceInErrorResponses: false,
    resolvers: { JSON: JSONScalar },
    buildSchemaOptions: { orphanedTypes: settings.orphanedTypes, dateScalarMode: 'isoDate' },
    plugins: [ApolloServerPluginInlineTraceDisabled()],
    context: ({ req }: { req: Request & { identity?: Identity } }): SubgraphContext => ({
      req,
      identity: req.identity!,
    }),
    formatError: (formatted, error) =>
      formatGraphqlError(formatted as never, error, settings.logError) as never,
  };
}
