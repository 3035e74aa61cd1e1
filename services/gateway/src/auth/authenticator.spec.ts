import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { FakeUpstream } from '@cartograph/platform/testing';
import { Authenticator, credentialFrom } from './authenticator.js';

const key = 'cgk_abcdefghijklmnopqrstuvwxyz0123456789';

describe('Authenticator', () => {
  it('reads Bearer and X-API-Key credentials', () => {
    expect(credentialFrom({ authorization: `Bearer ${key}` })).toBe(key);
    expect(credentialFrom({ 'x-api-key': key })).toBe(key);
    expect(credentialFrom({ authorization: 'Basic abc' })).toBeNull();
    expect(credentialFrom({})).toBeNull();
  });

  it('caches a verified key for the TTL and asks again after it', async () => {
    let now = 0;
    let calls = 0;
    let valid = true;
    const authenticator = new Authenticator({
      verifyApiKey: async () => {
        calls += 1;
        return valid ? { id: 'k1', name: 'ci', role: 'editor' } : null;
      },
      cacheTtlSeconds: 30,
      now: () => now,
    });
    expect(await authenticator.authenticate(key)).toMatchObject({
      ok: true,
      identity: { role: 'editor', subject: 'k1' },
    });
    valid = false;
    now = 29_000;
    expect((await authenticator.authenticate(key)).ok).toBe(true);
    expect(calls).toBe(1);
    now = 30_001;
    expect(await authenticator.authenticate(key)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(calls).toBe(2);
  });

  it('says the catalog is unavailable instead of calling a good key invalid', async () => {
    const authenticator = new Authenticator({
      verifyApiKey: async () => {
        throw new Error('connect ECONNREFUSED');
      },
      cacheTtlSeconds: 30,
    });
    expect(await authenticator.authenticate(key)).toMatchObject({ ok: false, reason: 'unavailable' });
  });

  describe('OIDC', () => {
    const jwks = new FakeUpstream();
    let issuer = '';
    let sign: (claims: Record<string, unknown>, audience?: string) => Promise<string>;

    beforeAll(async () => {
      const { publicKey, privateKey } = await generateKeyPair('RS256');
      const jwk = { ...(await exportJWK(publicKey)), kid: 'test', alg: 'RS256', use: 'sig' };
      jwks.route('GET', '/.well-known/jwks.json', () => ({ keys: [jwk] }));
      issuer = await jwks.start();
      sign = (claims, audience = 'cartograph') =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'test' })
          .setIssuer(issuer)
          .setAudience(audience)
          .setSubject('user-1')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(privateKey);
    });

    afterAll(() => jwks.stop());

    const authenticator = () =>
      new Authenticator({
        verifyApiKey: async () => null,
        cacheTtlSeconds: 30,
        oidc: { issuer, audience: 'cartograph', rolesClaim: 'cartograph_roles', defaultRole: 'none' },
      });

    it('accepts a token from the issuer and takes the highest role in the claim', async () => {
      const token = await sign({ cartograph_roles: ['viewer', 'admin'], email: 'ada@example.com' });
      expect(await authenticator().authenticate(token)).toMatchObject({
        ok: true,
        identity: { kind: 'oidc', subject: 'user-1', role: 'admin', name: 'ada@example.com' },
      });
    });

    it('refuses a token for another audience, or without a role when no default role is set', async () => {
      expect(
        await authenticator().authenticate(await sign({ cartograph_roles: 'admin' }, 'someone-else')),
      ).toMatchObject({ ok: false });
      expect(await authenticator().authenticate(await sign({}))).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
    });
  });
});
