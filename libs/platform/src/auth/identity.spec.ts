import { apiKeyHint, generateApiKey, hashApiKey, looksLikeApiKey } from './api-key.js';
import {
  IDENTITY_HEADER,
  SIGNATURE_HEADER,
  signIdentity,
  verifyIdentity,
  type Identity,
} from './identity.js';
import { hasRole } from './roles.js';

const secret = 's'.repeat(40);
const identity: Identity = { subject: 'key-1', kind: 'api-key', role: 'editor', name: 'ci' };

describe('signed identity header', () => {
  it('round-trips through sign and verify', () => {
    expect(verifyIdentity(signIdentity(identity, secret), secret)).toEqual({ ok: true, identity });
  });

  it('refuses a missing, forged, tampered, expired or wrongly keyed signature', () => {
    const headers = signIdentity(identity, secret);
    expect(verifyIdentity({}, secret)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/through the gateway/),
    });
    expect(verifyIdentity(headers, 'other'.repeat(10))).toMatchObject({
      ok: false,
      reason: 'invalid identity signature',
    });
    const escalated = Buffer.from(JSON.stringify({ ...identity, role: 'admin' })).toString('base64url');
    expect(verifyIdentity({ ...headers, [IDENTITY_HEADER]: escalated }, secret)).toMatchObject({ ok: false });
    expect(verifyIdentity({ ...headers, [SIGNATURE_HEADER]: 'garbage' }, secret)).toMatchObject({
      ok: false,
      reason: 'malformed identity signature',
    });
    const old = signIdentity(identity, secret, Date.now() - 10 * 60_000);
    expect(verifyIdentity(old, secret)).toMatchObject({ ok: false, reason: 'identity signature expired' });
  });
});

describe('API keys and roles', () => {
  it('generates prefixed random keys, hashes them, and shows only a hint', () => {
    const key = generateApiKey();
    expect(looksLikeApiKey(key)).toBe(true);
    expect(generateApiKey()).not.toBe(key);
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(apiKeyHint(key)).not.toContain(key.slice(8, -4));
  });

  it('orders roles', () => {
    expect(hasRole('admin', 'editor')).toBe(true);
    expect(hasRole('editor', 'editor')).toBe(true);
    expect(hasRole('viewer', 'editor')).toBe(false);
  });
});
