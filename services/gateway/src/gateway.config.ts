import { z } from 'zod';
import { loadConfig, redisModel, runtimeModel, tracingModel } from '@cartograph/platform/config';

export const gatewayModel = z.object({
  CARTOGRAPH_INTERNAL_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .describe('HMAC key that signs the identity header from the gateway to the subgraphs. Secret.'),
  AUTH_KEY_CACHE_TTL_SECONDS: z.coerce
    .number()
    .min(0)
    .max(3_600)
    .default(30)
    .describe('How long a verified API key is cached; a revoked key stops working within this time.'),
  OIDC_ISSUER: z.string().url().optional().describe('OIDC issuer; JWT bearer tokens are accepted when set.'),
  OIDC_AUDIENCE: z.string().optional().describe('Expected `aud` of OIDC tokens.'),
  OIDC_JWKS_URL: z
    .string()
    .url()
    .optional()
    .describe('JWKS URL; default `<OIDC_ISSUER>/.well-known/jwks.json`.'),
  OIDC_ROLES_CLAIM: z
    .string()
    .default('cartograph_roles')
    .describe('Claim holding a role or a list of roles.'),
  OIDC_DEFAULT_ROLE: z
    .enum(['none', 'viewer', 'editor', 'admin'])
    .default('viewer')
    .describe('Role of a valid token without a known role in the claim (`none` refuses such tokens).'),
  QUERY_MAX_DEPTH: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .default(12)
    .describe('Deepest selection a query may have.'),
  QUERY_MAX_COST: z.coerce
    .number()
    .int()
    .min(1)
    .default(20_000)
    .describe('Highest estimated cost (fields × list sizes from `first`) a query may have.'),
  CORS_ORIGINS: z
    .string()
    .default('')
    .describe('Comma-separated origins allowed by CORS, or `*`; empty disables CORS headers.'),
  APQ_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(86_400)
    .describe('How long persisted queries (APQ) are kept.'),
});

/** The gateway reads no database: only Redis (persisted queries, the event stream) and its own settings. */
export const gatewayModels = [runtimeModel, redisModel, tracingModel, gatewayModel] as const;

export type GatewayConfig = ReturnType<typeof loadGatewayConfig>;

export function loadGatewayConfig(environment: NodeJS.ProcessEnv = process.env) {
  return loadConfig(gatewayModels, environment);
}

/** `SUBGRAPH_<NAME>_URL` overrides the routing URL composed into the supergraph (e.g. in Kubernetes). */
export function subgraphUrlOverride(
  name: string,
  environment: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return environment[`SUBGRAPH_${name.toUpperCase().replace(/-/g, '_')}_URL`] || undefined;
}

/** Every variable the gateway reads, for the configuration reference. */
export const environmentModels = gatewayModels;
