// The deployment contract the lead's code honours (bin/cartograph.js and libs/platform config). The chart, the
// compose file and the Dockerfile are checked against it.

/** Every service of the monorepo; `gateway` has no worker. */
export const SERVICES = [
  'gateway',
  'catalog',
  'dbt-artifacts',
  'dbt-cloud',
  'warehouse',
  'hex',
  'semantic-layer',
] as const;
export const SERVICES_WITH_WORKER = SERVICES.filter((name) => name !== 'gateway');

/** The image's commands: `node bin/cartograph.js <args>`. */
export function isImageCommand(args: readonly string[]): boolean {
  if (args.length === 1) return args[0] === 'migrate';
  if (args.length !== 2) return false;
  const [verb, service] = args;
  if (verb === 'serve') return (SERVICES as readonly string[]).includes(service!);
  if (verb === 'worker') return SERVICES_WITH_WORKER.includes(service as never);
  return false;
}

export const COMMON_ENV = [
  'NODE_ENV',
  'LOG_LEVEL',
  'HOST',
  'PORT',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'REDIS_URL',
  'REDIS_PREFIX',
  'CARTOGRAPH_INTERNAL_SECRET',
  'CARTOGRAPH_ENCRYPTION_KEY',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
] as const;

export const GATEWAY_ENV = [
  'AUTH_KEY_CACHE_TTL_SECONDS',
  'OIDC_ISSUER',
  'OIDC_AUDIENCE',
  'OIDC_JWKS_URL',
  'OIDC_ROLES_CLAIM',
  'QUERY_MAX_DEPTH',
  'QUERY_MAX_COST',
  'CORS_ORIGINS',
] as const;

/** Values that must come from a Secret, never a ConfigMap. */
export const SECRET_ENV = [
  'DATABASE_URL',
  'REDIS_URL',
  'CARTOGRAPH_INTERNAL_SECRET',
  'CARTOGRAPH_ENCRYPTION_KEY',
] as const;

/** SUBGRAPH_<NAME>_URL: the service name upper-cased, dashes turned into underscores. */
export function subgraphEnvName(service: string): string {
  return `SUBGRAPH_${service.toUpperCase().replaceAll('-', '_')}_URL`;
}

/** <NAME>_URL: where one service reaches another's internal API (e.g. DBT_ARTIFACTS_URL for dbt-cloud). */
export function serviceUrlEnvName(service: string): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_URL`;
}

export function isDocumentedEnv(name: string, service: string): boolean {
  if ((COMMON_ENV as readonly string[]).includes(name)) return true;
  if (SERVICES.some((s) => s !== 'gateway' && serviceUrlEnvName(s) === name)) return true;
  if (service !== 'gateway') return false;
  return (
    (GATEWAY_ENV as readonly string[]).includes(name) ||
    SERVICES.some((s) => s !== 'gateway' && subgraphEnvName(s) === name)
  );
}
