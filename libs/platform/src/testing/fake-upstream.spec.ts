import { request } from 'undici';
import { FakeHttpError, FakeUpstream, paginateRequest, reply } from './fake-upstream.js';

let fake: FakeUpstream;
let baseUrl: string;

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Record<string, unknown>; text: string; json: () => unknown }> {
  const response = await request(`${baseUrl}${path}`, {
    method: method as 'GET',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: () => JSON.parse(text) };
}

beforeEach(async () => {
  fake = new FakeUpstream();
  baseUrl = await fake.start();
});

afterEach(async () => {
  await fake.stop();
});

describe('FakeUpstream', () => {
  it('listens on 127.0.0.1 on a free port', () => {
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fake.url('/a')).toBe(`${baseUrl}/a`);
  });

  it('routes by method and pattern, with path params, query and JSON body', async () => {
    fake.route('POST', '/api/v2/accounts/:accountId/jobs/:jobId/run/', (request) =>
      reply.json({ params: request.params, query: request.query, body: request.body }, 201, {
        'x-request-id': 'r1',
      }),
    );
    const response = await call('POST', '/api/v2/accounts/7/jobs/9/run/?dry=true', { cause: 'api' });
    expect(response.status).toBe(201);
    expect(response.headers['x-request-id']).toBe('r1');
    expect(response.json()).toEqual({
      params: { accountId: '7', jobId: '9' },
      query: { dry: 'true' },
      body: { cause: 'api' },
    });
  });

  it('sends plain return values as JSON, undefined as 204, unknown routes as 404', async () => {
    fake.route('GET', '/items', () => [1, 2]);
    fake.route('DELETE', '/items/:id', () => undefined);
    fake.route('GET', '/files/*', (request) => reply.text(request.params['*']!));
    expect((await call('GET', '/items')).json()).toEqual([1, 2]);
    expect((await call('DELETE', '/items/1')).status).toBe(204);
    expect((await call('GET', '/files/a/b.json')).text).toBe('a/b.json');
    const missing = await call('GET', '/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ error: 'no route for GET /nothing' });
    // Trailing slashes matter, as they do for real vendors.
    expect((await call('GET', '/items/')).status).toBe(404);
  });

  it('replaces a route registered twice', async () => {
    fake.route('GET', '/x', () => 'first');
    fake.route('GET', '/x', () => 'second');
    expect((await call('GET', '/x')).json()).toBe('second');
  });

  it('turns FakeHttpError and other handler errors into responses', async () => {
    fake.route('GET', '/teapot', () => {
      throw new FakeHttpError(418, 'short and stout');
    });
    fake.route('GET', '/broken', () => {
      throw new Error('bug in the fake');
    });
    expect(await call('GET', '/teapot')).toMatchObject({ status: 418, text: '{"error":"short and stout"}' });
    const broken = await call('GET', '/broken');
    expect(broken.status).toBe(500);
    expect(broken.text).toContain('bug in the fake');
  });

  it('records every request for assertions', async () => {
    fake.route('PUT', '/things/:id', () => ({ ok: true }));
    await call('PUT', '/things/3?verbose=1', { name: 'n' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/things/3',
      query: { verbose: '1' },
      body: { name: 'n' },
      params: { id: '3' },
      route: '/things/:id',
      faulted: false,
    });
    expect(fake.requests[0]!.headers['content-type']).toBe('application/json');
    expect(fake.requestsTo('PUT', '/things/:id')).toHaveLength(1);
    fake.reset();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('FakeUpstream faults', () => {
  beforeEach(() => {
    fake.route('GET', '/a/:id', () => ({ route: 'a' }));
    fake.route('GET', '/b', () => ({ route: 'b' }));
  });

  it('fails the next n requests of every route, then recovers', async () => {
    fake.failNext(2, { status: 503 });
    expect((await call('GET', '/a/1')).status).toBe(503);
    expect((await call('GET', '/b')).status).toBe(503);
    expect((await call('GET', '/b')).status).toBe(200);
    expect(fake.requests.map((request) => request.faulted)).toEqual([true, true, false]);
  });

  it('fails one route only, with headers and a body', async () => {
    fake.failNext(
      1,
      { status: 429, headers: { 'retry-after': '1' }, body: { detail: 'slow down' } },
      { path: '/a/:id' },
    );
    expect((await call('GET', '/b')).status).toBe(200);
    const limited = await call('GET', '/a/1');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.json()).toEqual({ detail: 'slow down' });
    expect((await call('GET', '/a/1')).status).toBe(200);
  });

  it('drops the connection', async () => {
    fake.failNext(1, { reset: true });
    await expect(call('GET', '/b')).rejects.toThrow();
    expect((await call('GET', '/b')).status).toBe(200);
  });

  it('delays responses until delay(0), or for a number of requests', async () => {
    fake.delay(150);
    const startedAt = performance.now();
    await call('GET', '/b');
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(140);
    fake.delay(0);
    fake.delay(150, { times: 1, path: '/b' });
    const timed = async (path: string): Promise<number> => {
      const callStartedAt = performance.now();
      await call('GET', path);
      return performance.now() - callStartedAt;
    };
    expect(await timed('/a/1')).toBeLessThan(100);
    expect(await timed('/b')).toBeGreaterThanOrEqual(140);
    expect(await timed('/b')).toBeLessThan(100);
  });

  it('stops promptly with a response still delayed', async () => {
    fake.delay(10_000);
    const pending = call('GET', '/b');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = performance.now();
    await fake.stop();
    expect(performance.now() - startedAt).toBeLessThan(1000);
    await expect(pending).rejects.toThrow();
  });
});

describe('FakeUpstream pagination', () => {
  const items = Array.from({ length: 5 }, (_, index) => ({ id: index + 1 }));

  it('serves offset pages', async () => {
    fake.route('GET', '/runs', (request) => {
      const page = request.paginate(items, { pageSize: 2, style: 'offset' });
      return {
        data: page.items,
        extra: { pagination: { total_count: page.total, count: page.items.length } },
      };
    });
    expect((await call('GET', '/runs')).json()).toMatchObject({ data: [{ id: 1 }, { id: 2 }] });
    expect((await call('GET', '/runs?offset=4&limit=100')).json()).toMatchObject({
      data: [{ id: 5 }],
      extra: { pagination: { total_count: 5, count: 1 } },
    });
  });

  it('serves cursor pages until there is no next cursor', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = paginateRequest(cursor ? { cursor } : {}, items, { pageSize: 2, style: 'cursor' });
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      expect(page.nextOffset).toBeUndefined();
    } while (cursor);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers 400 to a cursor it did not issue', async () => {
    fake.route('GET', '/projects', (request) => request.paginate(items, { pageSize: 2, style: 'cursor' }));
    expect((await call('GET', '/projects?cursor=bogus')).status).toBe(400);
  });
});
