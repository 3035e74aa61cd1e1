import type { Server } from 'node:http';
import {
  GraphQLError,
  execute,
  subscribe,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
  type OperationDefinitionNode,
  Kind,
  parse,
} from 'graphql';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { eventTypes, type CloudEvent } from '@cartograph/contracts';
import type { Identity } from '@cartograph/platform/auth';
import type { EventStreamHub } from '@cartograph/platform/events';
import type { Authenticator } from '../auth/authenticator.js';
import { enforceQueryLimits, type QueryLimits } from '../limits/query-limits.js';

export interface SubscriptionServerOptions {
  httpServer: Server;
  path: string;
  schema: () => GraphQLSchema | null;
  authenticator: Authenticator;
  hub: EventStreamHub;
  limits: QueryLimits;
  logger: Logger;
}

type ConnectionContext = Record<PropertyKey, unknown> & { identity?: Identity };

function credentialFromParams(params: Record<string, unknown> | undefined): string | null {
  const value = params?.authorization ?? params?.Authorization ?? params?.apiKey;
  if (typeof value !== 'string') {
    return null;
  }
  return value.replace(/^Bearer\s+/i, '').trim() || null;
}

/**
 * Apollo Gateway does not federate subscriptions, so the gateway runs them itself, on the same /graphql
 * path over graphql-ws: operations are validated against the supergraph's API schema (clients see one
 * schema) and `events` is fed from the Redis Stream through one shared reader.
 */
export function startSubscriptionServer(options: SubscriptionServerOptions): { close: () => Promise<void> } {
  const webSocketServer = new WebSocketServer({ server: options.httpServer, path: options.path });
  const server = useServer<Record<string, unknown>, ConnectionContext>(
    {
      onConnect: async (context) => {
        const result = await options.authenticator.authenticate(
          credentialFromParams(context.connectionParams),
        );
        if (!result.ok) {
          options.logger.info({ reason: result.reason }, 'refused a subscription connection');
          // graphql-ws closes with 4403 Forbidden when onConnect returns false.
          return false;
        }
        context.extra.identity = result.identity;
        return true;
      },
      onSubscribe: (_context, _id, payload) => {
        const schema = options.schema();
        if (!schema) {
          return [
            new GraphQLError('The gateway is starting; retry shortly', {
              extensions: { code: 'UPSTREAM_UNAVAILABLE' },
            }),
          ];
        }
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as GraphQLError];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) {
          return errors;
        }
        const operation = document.definitions.find(
          (definition): definition is OperationDefinitionNode =>
            definition.kind === Kind.OPERATION_DEFINITION &&
            (!payload.operationName || definition.name?.value === payload.operationName),
        );
        if (!operation || operation.operation !== 'subscription') {
          return [
            new GraphQLError(
              'Only subscriptions are served over WebSocket; send queries and mutations over HTTP',
              { extensions: { code: 'BAD_USER_INPUT' } },
            ),
          ];
        }
        try {
          enforceQueryLimits(options.limits, schema, document, operation, payload.variables ?? undefined);
        } catch (error) {
          return [error as GraphQLError];
        }
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          subscribeFieldResolver: (
            _source,
            fieldArguments: { types?: string[] | null; subject?: string | null },
            _contextValue,
            info,
          ) => {
            if (info.fieldName !== 'events') {
              throw new GraphQLError(`Subscription field "${info.fieldName}" is not served`, {
                extensions: { code: 'BAD_USER_INPUT' },
              });
            }
            const unknown = (fieldArguments.types ?? []).filter((type) => !eventTypes.includes(type));
            if (unknown.length > 0) {
              throw new GraphQLError(`Unknown event type(s): ${unknown.join(', ')}`, {
                extensions: { code: 'BAD_USER_INPUT' },
              });
            }
            return mapEvents(
              options.hub.subscribe({ types: fieldArguments.types, subject: fieldArguments.subject }),
            );
          },
        };
        return args;
      },
      execute: (args) => execute(args),
      subscribe: (args) => subscribe(args),
    },
    webSocketServer,
  );
  return {
    close: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => webSocketServer.close(() => resolve()));
    },
  };
}

/** Wraps each event as the subscription field's value, keeping `return()` wired to the hub. */
function mapEvents(source: AsyncIterableIterator<CloudEvent>): AsyncIterableIterator<{ events: CloudEvent }> {
  const iterator: AsyncIterableIterator<{ events: CloudEvent }> = {
    next: async () => {
      const result = await source.next();
      return result.done
        ? { done: true, value: undefined }
        : { done: false, value: { events: result.value } };
    },
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
