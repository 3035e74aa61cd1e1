import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { roles } from './roles.js';
import { safeEqual } from './api-key.js';

export const IDENTITY_HEADER = 'x-cartograph-identity';
export const SIGNATURE_HEADER = 'x-cartograph-signature';

export const identitySchema = z.object({
  /** Who: an API key id, an OIDC subject, or a service name for internal calls. */
  subject: z.string().min(1),
  kind: z.enum(['api-key', 'oidc', 'service']),
  role: z.enum(roles),
  name: z.string().optional(),
});
export type Identity = z.infer<typeof identitySchema>;

/** How long a signed header stays valid; bounds replay of a captured internal request. */
const MAX_AGE_SECONDS = 300;

function sign(secret: string, timestamp: number, payload: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('base64url');
}

/** Headers the gateway adds to every subgraph request. */
export function signIdentity(identity: Identity, secret: string, now = Date.now()): Record<string, string> {
  const payload = Buffer.from(JSON.stringify(identitySchema.parse(identity))).toString('base64url');
  const timestamp = Math.floor(now / 1000);
  return {
    [IDENTITY_HEADER]: payload,
    [SIGNATURE_HEADER]: `t=${timestamp},v1=${sign(secret, timestamp, payload)}`,
  };
}

export type IdentityCheck = { ok: true; identity: Identity } | { ok: false; reason: string };

/** Verifies the gateway's signature; subgraphs refuse a request whose check fails. */
export function verifyIdentity(
  headers: Record<string, string | string[] | undefined>,
  secret: string,
  now = Date.now(),
): IdentityCheck {
  const payload = single(headers[IDENTITY_HEADER]);
  const signature = single(headers[SIGNATURE_HEADER]);
  if (!payload || !signature) {
    return { ok: false, reason: 'missing identity signature: call Cartograph through the gateway' };
  }
  const match = /^t=(\d+),v1=([A-Za-z0-9_-]+)$/.exec(signature);
  if (!match) {
    return { ok: false, reason: 'malformed identity signature' };
  }
  const timestamp = Number(match[1]);
  if (Math.abs(now / 1000 - timestamp) > MAX_AGE_SECONDS) {
    return { ok: false, reason: 'identity signature expired' };
  }
  if (!safeEqual(sign(secret, timestamp, payload), match[2]!)) {
    return { ok: false, reason: 'invalid identity signature' };
  }
  try {
    const identity = identitySchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    return { ok: true, identity };
  } catch {
    return { ok: false, reason: 'malformed identity payload' };
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
