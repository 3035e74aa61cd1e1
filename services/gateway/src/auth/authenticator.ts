import { createHash } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { hasRole, isRole, looksLikeApiKey, type Identity, type Role } from '@cartograph/platform/auth';
import type { VerifiedApiKey } from './api-key.client.js';

export interface AuthenticatorOptions {
  verifyApiKey: (key: string) => Promise<VerifiedApiKey | null>;
  cacheTtlSeconds: number;
  oidc?: {
    issuer: string;
    audience?: string;
    jwksUrl?: string;
    rolesClaim: string;
    defaultRole: Role | 'none';
  };
  now?: () => number;
}

export type AuthenticationResult =
  | { ok: true; identity: Identity }
  | { ok: false; reason: 'missing' | 'invalid' | 'unavailable'; message: string };

/** Reads the credential from `Authorization: Bearer …` or `X-API-Key`. */
export function credentialFrom(headers: Record<string, string | string[] | undefined>): string | null {
  const authorization = headers.authorization;
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  if (value) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
    return match ? match[1]! : null;
  }
  const apiKey = headers['x-api-key'];
  return (Array.isArray(apiKey) ? apiKey[0] : apiKey) ?? null;
}

interface CacheEntry {
  expiresAt: number;
  key: VerifiedApiKey | null;
}

/**
 * API keys are verified by the catalog and cached by their hash (never the key itself) for the TTL, so a
 * revoked key stops working within it; unknown keys are cached briefly so a flood of bad keys cannot
 * hammer the catalog. JWTs are verified locally against the issuer's JWKS.
 */
export class Authenticator {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly now: () => number;

  constructor(private readonly options: AuthenticatorOptions) {
    this.now = options.now ?? Date.now;
    this.jwks = options.oidc
      ? createRemoteJWKSet(
          new URL(options.oidc.jwksUrl ?? `${options.oidc.issuer.replace(/\/$/, '')}/.well-known/jwks.json`),
        )
      : null;
  }

  async authenticate(credential: string | null): Promise<AuthenticationResult> {
    if (!credential) {
      return {
        ok: false,
        reason: 'missing',
        message: 'Authentication required: send "Authorization: Bearer <API key or token>"',
      };
    }
    if (looksLikeApiKey(credential)) {
      return this.authenticateApiKey(credential);
    }
    if (this.jwks && credential.split('.').length === 3) {
      return this.authenticateJwt(credential);
    }
    return {
      ok: false,
      reason: 'invalid',
      message: 'Invalid credential: not a Cartograph API key (cgk_…) or an accepted token',
    };
  }

  private async authenticateApiKey(key: string): Promise<AuthenticationResult> {
    const hash = createHash('sha256').update(key).digest('hex');
    const now = this.now();
    let entry = this.cache.get(hash);
    if (!entry || entry.expiresAt <= now) {
      let verified: VerifiedApiKey | null;
      try {
        verified = await this.options.verifyApiKey(key);
      } catch {
        return {
          ok: false,
          reason: 'unavailable',
          message: 'Cannot verify API keys right now: the catalog service is unavailable',
        };
      }
      const ttlMs = verified
        ? this.options.cacheTtlSeconds * 1000
        : Math.min(5_000, this.options.cacheTtlSeconds * 1000);
      entry = { key: verified, expiresAt: now + ttlMs };
      if (this.cache.size > 50_000) {
        this.cache.clear();
      }
      this.cache.set(hash, entry);
    }
    if (!entry.key) {
      return { ok: false, reason: 'invalid', message: 'Invalid API key: unknown, revoked or expired' };
    }
    return {
      ok: true,
      identity: { subject: entry.key.id, kind: 'api-key', role: entry.key.role, name: entry.key.name },
    };
  }

  private async authenticateJwt(token: string): Promise<AuthenticationResult> {
    const oidc = this.options.oidc!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks!, { issuer: oidc.issuer, audience: oidc.audience }));
    } catch (error) {
      return { ok: false, reason: 'invalid', message: `Invalid token: ${(error as Error).message}` };
    }
    const claimed = payload[oidc.rolesClaim];
    const roles = (Array.isArray(claimed) ? claimed : [claimed]).filter(isRole);
    const role =
      roles.sort((left, right) => (hasRole(left, right) ? -1 : 1))[0] ??
      (oidc.defaultRole === 'none' ? null : oidc.defaultRole);
    if (!role) {
      return {
        ok: false,
        reason: 'invalid',
        message: `Token has no Cartograph role in claim "${oidc.rolesClaim}"`,
      };
    }
    return {
      ok: true,
      identity: {
        subject: String(payload.sub ?? 'unknown'),
        kind: 'oidc',
        role,
        name: typeof payload.email === 'string' ? payload.email : undefined,
      },
    };
  }
}
