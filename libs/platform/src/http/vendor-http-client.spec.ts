import { inspect } from 'node:util';
import { Secret } from '../secrets/secret.js';
import { FakeUpstream, reply } from '../testing/fake-upstream.js';
import { TokenBucketRegistry } from './token-bucket.js';
import {
  createVendorHttpClient,
  type VendorHttpAttempt,
  type VendorHttpClient,
  type VendorHttpClientOptions,
} from './vendor-http-client.js';
import { VendorHttpError } from './vendor-http-error.js';

let fake: FakeUpstream;
let baseUrl: string;
let attempts: VendorHttpAttempt[];
const clients: VendorHttpClient[] = [];

function client(options: Partial<VendorHttpClientOptions> = {}): VendorHttpClient {
  const created = createVendorHttpClient({
    vendor: 'acme',
    baseUrl: `${baseUrl}/api/v2/`,
    retry: { baseDelayMs: 5, maxDelayMs: 20 },
    rateLimitRegistry: new TokenBucketRegistry(),
    onAttempt: (attempt) => attempts.push(attempt),
    ...options,
  });
  clients.push(created);
  return created;
}

async function failure(promise: Promise<unknown>): Promise<VendorHttpError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VendorHttpError) return error;
    throw error;
  }
  throw new Error('expected the request to fail');
}

beforeEach(async () => {
  fake = new FakeUpstream();
  baseUrl = await fake.start();
  attempts = [];
  fake.route('GET', '/api/v2/accounts/:id/', (request) => ({
    id: Number(request.params.id),
    query: request.query,
  }));
  fake.route('POST', '/api/v2/jobs/:id/run/', (request) => reply.json({ started: request.body }, 201));
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((created) => created.close()));
  await fake.stop();
});

describe('VendorHttpClient requests', () => {
  it('joins the base path, sends default headers and query, parses JSON', async () => {
    const api = client({ headers: { Authorization: 'Token abc123', 'X-Trace': 'yes' } });
    const result = await api.getJson<{ id: number; query: Record<string, string> }>('/accounts/42/', {
      query: { limit: 10, state: ['a', 'b'], skip: undefined },
    });
    expect(result).toEqual({ id: 42, query: { limit: '10', state: 'b' } });
    const [request] = fake.requests;
    expect(request!.path).toBe('/api/v2/accounts/42/');
    expect(request!.searchParams.getAll('state')).toEqual(['a', 'b']);
    expect(request!.headers.authorization).toBe('Token abc123');
    expect(request!.headers['x-trace']).toBe('yes');
    expect(request!.headers.accept).toBe('application/json');
    expect(attempts).toMatchObject([
      { vendor: 'acme', method: 'GET', path: '/api/v2/accounts/42/', outcome: 'success', status: 200 },
    ]);
  });

  it('posts JSON and returns status, headers and body', async () => {
    const response = await client().request({ method: 'POST', path: 'jobs/7/run/', json: { cause: 'test' } });
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json()).toEqual({ started: { cause: 'test' } });
    expect(response.attempts).toBe(1);
  });

  it('streams a large body without buffering it', async () => {
    const payload = 'x'.repeat(2 * 1024 * 1024);
    fake.route('GET', '/api/v2/artifacts/*', () => reply.text(payload));
    const response = await client({ maxResponseBytes: 1024 }).stream({ path: 'artifacts/manifest.json' });
    let size = 0;
    for await (const chunk of response.body) size += (chunk as Buffer).length;
    expect(response.status).toBe(200);
    expect(size).toBe(payload.length);
  });

  it('refuses to buffer a body over maxResponseBytes', async () => {
    fake.route('GET', '/api/v2/big', () => reply.text('y'.repeat(10_000)));
    const error = await failure(client({ maxResponseBytes: 1000 }).request({ path: 'big' }));
    expect(error).toMatchObject({ reason: 'response_too_large', code: 'INTERNAL', attempts: 1 });
  });

  it('reports a body that is not JSON', async () => {
    fake.route('GET', '/api/v2/html', () => reply.text('<html>maintenance</html>'));
    const error = await failure(client().getJson('html'));
    expect(error).toMatchObject({ reason: 'invalid_response', code: 'UPSTREAM_UNAVAILABLE', status: 200 });
    expect(error.message).toContain('maintenance');
  });

  it('returns allowed statuses instead of throwing', async () => {
    const response = await client().request({ path: 'missing', allowStatuses: [404] });
    expect(response.status).toBe(404);
    expect(response.ok).toBe(false);
  });

  it('does not send credential headers to another origin', async () => {
    const other = new FakeUpstream();
    const otherUrl = await other.start();
    try {
      other.route('GET', '/download', () => reply.text('data'));
      const api = client({
        headers: { Authorization: 'Bearer secret-token-1234', 'User-Agent': 'cartograph' },
      });
      await api.request({ path: `${otherUrl}/download` });
      expect(other.requests[0]!.headers.authorization).toBeUndefined();
      expect(other.requests[0]!.headers['user-agent']).toBe('cartograph');
    } finally {
      await other.stop();
    }
  });

  it('follows a redirect when asked, dropping credentials across origins', async () => {
    const storage = new FakeUpstream();
    const storageUrl = await storage.start();
    try {
      storage.route('GET', '/signed/artifact', () => reply.text('artifact'));
      fake.route('GET', '/api/v2/artifact', () =>
        reply.empty(302, { location: `${storageUrl}/signed/artifact` }),
      );
      const headers = { Authorization: 'Token abc123456789' };
      await expect(client({ headers }).request({ path: 'artifact' })).rejects.toMatchObject({ status: 302 });
      const response = await client({ headers, maxRedirects: 2 }).request({ path: 'artifact' });
      expect(response.text()).toBe('artifact');
      expect(storage.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      await storage.stop();
    }
  });

  it('rejects with the caller abort reason', async () => {
    fake.delay(2000);
    const controller = new AbortController();
    const pending = client().getJson('accounts/1/', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('job cancelled')), 50);
    await expect(pending).rejects.toThrow('job cancelled');
  });
});

describe('VendorHttpClient retries', () => {
  it('retries after 500 then succeeds', async () => {
    fake.failNext(2, { status: 500 });
    const result = await client().getJson('accounts/1/');
    expect(result).toMatchObject({ id: 1 });
    expect(fake.requests).toHaveLength(3);
    expect(attempts.map((attempt) => [attempt.attempt, attempt.status, attempt.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 500, 'retry'],
      [3, 200, 'success'],
    ]);
  });

  it('honours Retry-After on 429', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '1' } }, { path: '/api/v2/accounts/:id/' });
    // With zero jitter, any wait comes from Retry-After alone.
    const api = client({ retry: { random: () => 0 } });
    const startedAt = performance.now();
    await api.getJson('accounts/1/');
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3000);
    expect(attempts[0]).toMatchObject({ status: 429, outcome: 'retry', retryInMs: 1000 });
  });

  it('caps Retry-After at maxRetryAfterMs', async () => {
    fake.failNext(1, { status: 503, headers: { 'retry-after': '30' } });
    const startedAt = performance.now();
    await client({ retry: { maxRetryAfterMs: 20 } }).getJson('accounts/1/');
    expect(performance.now() - startedAt).toBeLessThan(1000);
    expect(attempts[0]!.retryInMs).toBe(20);
  });

  it('gives up with RATE_LIMITED when 429 persists', async () => {
    fake.failNext(10, { status: 429 });
    const error = await failure(client({ retry: { maxAttempts: 3, baseDelayMs: 1 } }).getJson('accounts/1/'));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, attempts: 3, retryable: true });
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up at once when Retry-After exceeds the delay budget, and says how long to wait', async () => {
    fake.failNext(1, { status: 429, headers: { 'retry-after': '120' } });
    const error = await failure(
      client({ retry: { maxTotalDelayMs: 1000, maxRetryAfterMs: 300_000 } }).getJson('accounts/1/'),
    );
    expect(error).toMatchObject({ code: 'RATE_LIMITED', attempts: 1, retryAfterMs: 120_000 });
  });

  it('does not retry a POST by default', async () => {
    fake.failNext(1, { status: 503 });
    const error = await failure(client().postJson('jobs/7/run/', { cause: 'test' }));
    expect(error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 503, attempts: 1, method: 'POST' });
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a POST the caller marks idempotent', async () => {
    fake.failNext(1, { status: 503 });
    await expect(client().postJson('jobs/7/run/', { cause: 'test' }, { idempotent: true })).resolves.toEqual({
      started: { cause: 'test' },
    });
    expect(fake.requests).toHaveLength(2);
  });

  it.each([
    [401, 'UPSTREAM_AUTH_FAILED'],
    [403, 'UPSTREAM_AUTH_FAILED'],
    [404, 'NOT_FOUND'],
    [400, 'BAD_USER_INPUT'],
    [422, 'BAD_USER_INPUT'],
    [409, 'INTERNAL'],
  ])('maps %i to %s without retrying', async (status, code) => {
    fake.failNext(1, { status, body: { detail: 'nope' } });
    const error = await failure(client().getJson('accounts/1/'));
    expect(error).toMatchObject({
      code,
      status,
      attempts: 1,
      vendor: 'acme',
      method: 'GET',
      path: '/api/v2/accounts/1/',
    });
    expect(error.message).toBe(
      `acme GET /api/v2/accounts/1/ failed with HTTP ${status} (${code}, 1 attempt): {"detail":"nope"}`,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a dropped connection', async () => {
    fake.failNext(1, { reset: true });
    await expect(client().getJson('accounts/3/')).resolves.toMatchObject({ id: 3 });
    expect(attempts[0]).toMatchObject({ outcome: 'retry', reason: 'network', status: undefined });
  });

  it('fails with UPSTREAM_UNAVAILABLE when nothing listens', async () => {
    const closed = new FakeUpstream();
    const closedUrl = await closed.start();
    await closed.stop();
    const error = await failure(
      client({ baseUrl: closedUrl, retry: { maxAttempts: 2, baseDelayMs: 1 } }).getJson('x'),
    );
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'network',
      attempts: 2,
      causeCode: 'ECONNREFUSED',
    });
  });

  it('survives a throwing onAttempt hook', async () => {
    const api = client({
      onAttempt: () => {
        throw new Error('metrics down');
      },
    });
    await expect(api.getJson('accounts/1/')).resolves.toMatchObject({ id: 1 });
  });
});

describe('VendorHttpClient timeouts', () => {
  it('times out waiting for slow headers instead of hanging', async () => {
    fake.delay(3000);
    const startedAt = performance.now();
    const error = await failure(
      client({ timeouts: { headersMs: 100 }, retry: { maxAttempts: 1 } }).getJson('accounts/1/'),
    );
    expect(performance.now() - startedAt).toBeLessThan(1500);
    expect(error).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      reason: 'timeout',
      causeCode: 'UND_ERR_HEADERS_TIMEOUT',
    });
    expect(error.message).toContain('timed out waiting for the response headers after 100 ms');
  });

  it('times out on a body that stalls', async () => {
    fake.delay(3000, { phase: 'body' });
    const error = await failure(
      client().request({ path: 'accounts/1/', timeouts: { bodyMs: 100 }, retry: false }),
    );
    expect(error).toMatchObject({ reason: 'timeout', causeCode: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('bounds a whole attempt with attemptMs', async () => {
    fake.delay(3000, { phase: 'body' });
    const error = await failure(
      client().request({ path: 'accounts/1/', timeouts: { attemptMs: 150 }, retry: false }),
    );
    expect(error).toMatchObject({ reason: 'timeout', causeCode: 'ATTEMPT_TIMEOUT' });
  });

  it('retries after a timeout', async () => {
    fake.delay(3000, { times: 1 });
    await expect(client({ timeouts: { headersMs: 100 } }).getJson('accounts/5/')).resolves.toMatchObject({
      id: 5,
    });
    expect(attempts.map((attempt) => attempt.outcome)).toEqual(['retry', 'success']);
  });
});

describe('VendorHttpClient rate limit', () => {
  it('spaces requests of one key by the token bucket', async () => {
    const api = client({ rateLimit: { key: 'account-1', tokensPerSecond: 10, burst: 1 } });
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: 5 }, (_, index) => api.getJson(`accounts/${index}/`)));
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(380);
    expect(elapsed).toBeLessThan(2000);
    const arrivals = fake.requests.map((request) => request.receivedAt.getTime());
    expect(arrivals[4]! - arrivals[0]!).toBeGreaterThanOrEqual(350);
    expect(Math.max(...attempts.map((attempt) => attempt.rateLimitWaitMs))).toBeGreaterThanOrEqual(350);
  });

  it('takes a token from a shared rate limiter before every attempt, retries included', async () => {
    const taken: number[] = [];
    const limiter = {
      take: async () => {
        taken.push(Date.now());
        return 7;
      },
    };
    const api = client({ rateLimiter: limiter, rateLimit: { key: 'ignored', tokensPerSecond: 0.001 } });
    fake.failNext(1, { status: 503 });
    await api.getJson('accounts/1/');
    expect(taken).toHaveLength(2);
    expect(attempts.map((attempt) => attempt.rateLimitWaitMs)).toEqual([7, 7]);
    // A request that opts out of rate limiting skips the shared limiter too.
    await api.getJson('accounts/2/', { rateLimit: false });
    expect(taken).toHaveLength(2);
  });

  it('does not slow down requests of other keys', async () => {
    const registry = new TokenBucketRegistry();
    const first = client({
      rateLimitRegistry: registry,
      rateLimit: { key: 'a', tokensPerSecond: 1, burst: 1 },
    });
    const second = client({
      rateLimitRegistry: registry,
      rateLimit: { key: 'b', tokensPerSecond: 1, burst: 1 },
    });
    const startedAt = performance.now();
    await Promise.all([first.getJson('accounts/1/'), second.getJson('accounts/2/')]);
    expect(performance.now() - startedAt).toBeLessThan(500);
  });
});

describe('VendorHttpClient redaction', () => {
  const bearer = 'tok_live_4b1d9c0ffee5ecret';
  const queryToken = 'qs-5ecret-value-1234';
  const registered = 'workspace-5ecret-9f3a';

  function expectNoSecret(text: string): void {
    expect(text).not.toContain(bearer);
    expect(text).not.toContain(queryToken);
    expect(text).not.toContain(registered);
  }

  it('keeps tokens out of the error and the hook payloads', async () => {
    fake.route('GET', '/api/v2/echo/:what/', (request) =>
      reply.json(
        {
          detail: `bad credentials ${request.headers.authorization} for ${request.path}?token=${request.query.token}`,
          token: request.query.token,
        },
        401,
      ),
    );
    const api = client({
      headers: { Authorization: new Secret(`Bearer ${bearer}`) },
      secrets: [registered],
    });
    const error = await failure(api.getJson(`echo/${registered}/?token=${queryToken}`));
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(error.message).toContain(
      'bad credentials [redacted] for /api/v2/echo/[redacted]/?token=[redacted]',
    );
    for (const text of [
      error.message,
      error.stack ?? '',
      String(error),
      JSON.stringify(error),
      inspect(error, { depth: 10 }),
      JSON.stringify(attempts),
    ]) {
      expectNoSecret(text);
    }
    // The request itself carried the real values.
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${bearer}`);
    expect(fake.requests[0]!.query.token).toBe(queryToken);
  });

  it('keeps tokens out of errors after retries and timeouts', async () => {
    fake.delay(3000);
    const api = client({
      headers: { 'X-Api-Key': bearer },
      timeouts: { headersMs: 50 },
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const error = await failure(api.getJson(`accounts/1/`, { query: { token: queryToken } }));
    expect(error.reason).toBe('timeout');
    for (const text of [error.message, error.stack ?? '', JSON.stringify(error), JSON.stringify(attempts)]) {
      expectNoSecret(text);
    }
  });
});
