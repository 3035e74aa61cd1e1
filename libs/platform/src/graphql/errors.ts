import { GraphQLError } from 'graphql';

/** The codes of DESIGN §6; clients switch on these, never on messages. */
export const errorCodes = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UPSTREAM_AUTH_FAILED',
  'UPSTREAM_UNAVAILABLE',
  'RATE_LIMITED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export function graphqlError(
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = (
  message = 'Authentication required: send an API key as "Authorization: Bearer cgk_…"',
) => graphqlError('UNAUTHENTICATED', message);
export const forbidden = (message: string) => graphqlError('FORBIDDEN', message);
export const badUserInput = (message: string, extensions: Record<string, unknown> = {}) =>
  graphqlError('BAD_USER_INPUT', message, extensions);
export const notFound = (what: string) => graphqlError('NOT_FOUND', `${what} not found`);

const passthroughCodes = new Set<string>([
  ...errorCodes,
  'GRAPHQL_VALIDATION_FAILED',
  'GRAPHQL_PARSE_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
]);

/**
 * Keeps deliberate errors and hides everything else behind INTERNAL, so a driver message with a
 * connection string or a stack trace never reaches a client. The original is handed to `log`.
 */
export function formatGraphqlError(
  formatted: {
    message: string;
    extensions?: Record<string, unknown>;
    path?: readonly (string | number)[];
    locations?: readonly unknown[];
  },
  error: unknown,
  log: (error: unknown) => void,
): {
  message: string;
  extensions: Record<string, unknown>;
  path?: readonly (string | number)[];
  locations?: readonly unknown[];
} {
  const code = String(formatted.extensions?.code ?? '');
  if (passthroughCodes.has(code)) {
    const { stacktrace: _stacktrace, exception: _exception, ...extensions } = formatted.extensions ?? {};
    return {
      message: formatted.message,
      extensions: { ...extensions, code: code === 'BAD_REQUEST' ? 'BAD_USER_INPUT' : code },
      path: formatted.path,
      locations: formatted.locations,
    };
  }
  log(error);
  return { message: 'Internal error', extensions: { code: 'INTERNAL' }, path: formatted.path };
}
