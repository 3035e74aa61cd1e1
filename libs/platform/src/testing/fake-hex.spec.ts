import { request } from 'undici';
import { FakeHex, decodeHexCursor, encodeHexCursor } from './fake-hex.js';

const TOKEN = 'hxtw_workspace_token_0001';
let hex: FakeHex;

async function get(
  path: string,
  token: string | null = TOKEN,
): Promise<{ status: number; headers: any; body: any }> {
  const response = await request(`${hex.apiUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

beforeEach(async () => {
  hex = new FakeHex();
  await hex.start();
  hex
    .token(TOKEN)
    .token('hxtp_alice_personal_0001', { user: 'alice@example.com' })
    .token('hxtw_no_users', { scopes: ['projects'] })
    .collection({ id: 'col-1', name: 'Finance' })
    .user({ email: 'alice@example.com', name: 'Alice' })
    .dataConnection({
      id: 'dc-1',
      name: 'Warehouse',
      type: 'snowflake',
      connectionDetails: { account: 'acme' },
    });
  for (let index = 0; index < 7; index++) {
    hex.project({
      id: `00000000-0000-4000-8000-00000000000${index}`,
      title: `Project ${index}`,
      creatorEmail: index === 0 ? 'alice@example.com' : 'bob@example.com',
      createdAt: new Date(Date.UTC(2025, 0, 1 + index)),
      lastEditedAt: new Date(Date.UTC(2025, 5, 10 - index)),
      status: index % 2 === 0 ? 'Approved' : null,
      categories: index === 1 ? ['Scratchpad'] : [],
      collections: index === 2 ? ['Finance'] : [],
    });
  }
  hex.project({
    id: 'comp-1',
    title: 'A component',
    type: 'COMPONENT',
    createdAt: new Date(Date.UTC(2024, 0, 1)),
  });
  hex.project({
    id: 'arch-1',
    title: 'Archived',
    archivedAt: new Date(),
    createdAt: new Date(Date.UTC(2024, 0, 2)),
  });
  hex.project({
    id: 'trash-1',
    title: 'Trashed',
    trashedAt: new Date(),
    createdAt: new Date(Date.UTC(2024, 0, 3)),
  });
});

afterEach(async () => {
  await hex.stop();
});

describe('FakeHex', () => {
  it('lists projects newest created first, in pages with v2 cursors (after = last item, before = first, even on page one)', async () => {
    const first = await get('/projects?limit=3');
    expect(first.status).toBe(200);
    expect(first.body.values.map((project: any) => project.title)).toEqual([
      'Project 6',
      'Project 5',
      'Project 4',
    ]);
    const after = decodeHexCursor(first.body.pagination.after)!;
    expect(after).toEqual(['2025-01-05T00:00:00.000Z', '00000000-0000-4000-8000-000000000004']);
    expect(Buffer.from(first.body.pagination.after, 'base64url').toString()).toMatch(/^v2:\["/);
    expect(first.body.pagination.after).not.toMatch(/=/);
    expect(decodeHexCursor(first.body.pagination.before)![1]).toBe('00000000-0000-4000-8000-000000000006');

    const titles: string[] = first.body.values.map((project: any) => project.title);
    let cursor = first.body.pagination.after;
    while (cursor) {
      const page = await get(`/projects?limit=3&after=${cursor}`);
      titles.push(...page.body.values.map((project: any) => project.title));
      cursor = page.body.pagination.after;
    }
    expect(titles).toEqual([
      'Project 6',
      'Project 5',
      'Project 4',
      'Project 3',
      'Project 2',
      'Project 1',
      'Project 0',
    ]);

    const second = await get(`/projects?limit=3&after=${first.body.pagination.after}`);
    const back = await get(`/projects?limit=3&before=${second.body.pagination.before}`);
    expect(back.body.values.map((project: any) => project.title)).toEqual([
      'Project 6',
      'Project 5',
      'Project 4',
    ]);
  });

  it('sorts by LAST_EDITED_AT in either direction', async () => {
    const descending = await get('/projects?limit=100&sortBy=LAST_EDITED_AT&sortDirection=DESC');
    expect(descending.body.values[0].title).toBe('Project 0');
    const ascending = await get('/projects?limit=100&sortBy=LAST_EDITED_AT&sortDirection=ASC');
    expect(ascending.body.values[0].title).toBe('Project 6');
  });

  it('leaves out components, archived and trashed projects unless asked, and sharing unless includeSharing', async () => {
    const plain = await get('/projects?limit=100');
    expect(plain.body.values).toHaveLength(7);
    expect(plain.body.values[0].sharing).toBeUndefined();
    const everything = await get(
      '/projects?limit=100&includeComponents=true&includeArchived=true&includeTrashed=true&includeSharing=true',
    );
    expect(everything.body.values.map((project: any) => project.id)).toEqual(
      expect.arrayContaining(['comp-1', 'arch-1', 'trash-1']),
    );
    const finance = everything.body.values.find((project: any) => project.title === 'Project 2');
    expect(finance.sharing.collections).toEqual([{ collection: { name: 'Finance' }, access: 'CAN_VIEW' }]);
  });

  it('filters by statuses, categories, creator, owner and collection', async () => {
    const approved = await get('/projects?limit=100&statuses=Approved');
    expect(approved.body.values).toHaveLength(4);
    const scratch = await get('/projects?limit=100&categories=Scratchpad&categories=Other');
    expect(scratch.body.values.map((project: any) => project.title)).toEqual(['Project 1']);
    expect((await get('/projects?limit=100&creatorEmail=alice@example.com')).body.values).toHaveLength(1);
    expect((await get('/projects?limit=100&ownerEmail=bob@example.com')).body.values).toHaveLength(6);
    expect((await get('/projects?limit=100&collectionId=col-1')).body.values[0].title).toBe('Project 2');
  });

  it('refuses a limit outside 1..100 and bad cursors with 400', async () => {
    expect((await get('/projects?limit=0')).status).toBe(400);
    expect((await get('/projects?limit=101')).status).toBe(400);
    const bad = await get(`/projects?after=${Buffer.from('nonsense').toString('base64url')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.reason).toMatch(/cursor/);
  });

  it('answers 401 without a known token and 403 without the scope', async () => {
    const missing = await get('/projects', null);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ reason: expect.any(String), traceId: expect.any(String) });
    expect((await get('/projects', 'hxtw_unknown')).status).toBe(401);
    expect((await get('/users', 'hxtw_no_users')).status).toBe(403);
    expect((await get('/projects', 'hxtw_no_users')).status).toBe(200);
    hex.revoke(TOKEN);
    expect((await get('/projects')).status).toBe(401);
  });

  it('lets a personal token see only what its user sees', async () => {
    const personal = await get('/projects?limit=100', 'hxtp_alice_personal_0001');
    expect(personal.body.values.map((project: any) => project.title)).toEqual(['Project 0']);
    const me = await get('/users/me', 'hxtp_alice_personal_0001');
    expect(me.body).toMatchObject({ email: 'alice@example.com', org: { id: hex.orgId } });
  });

  it('serves one project, 404 for an unknown id, and queriedTables only on Enterprise', async () => {
    const one = await get('/projects/00000000-0000-4000-8000-000000000003');
    expect(one.body.title).toBe('Project 3');
    expect((await get('/projects/nope')).status).toBe(404);
    expect((await get('/projects/00000000-0000-4000-8000-000000000003/queriedTables')).status).toBe(403);
    hex.enterprise();
    expect((await get('/projects/00000000-0000-4000-8000-000000000003/queriedTables')).body.values).toEqual(
      [],
    );
  });

  it('serves users, collections and data connections as values + pagination', async () => {
    expect((await get('/users')).body).toEqual({
      values: [{ id: expect.any(String), name: 'Alice', email: 'alice@example.com', role: 'EDITOR' }],
      pagination: { after: null, before: expect.any(String) },
    });
    expect((await get('/collections')).body.values[0]).toMatchObject({ id: 'col-1', name: 'Finance' });
    expect((await get('/data-connections')).body.values[0]).toMatchObject({
      id: 'dc-1',
      type: 'snowflake',
      connectionDetails: { snowflake: { account: 'acme' } },
    });
  });

  it('answers 429 with Retry-After past N requests per window, and serves again once the window moved on', async () => {
    hex.rateLimit({ requests: 3, windowMs: 500 });
    const statuses = [];
    for (let index = 0; index < 5; index++) statuses.push((await get('/users')).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(hex.tooManyRequests).toBe(2);
    const limited = await get('/users');
    expect(limited.headers['retry-after']).toBe('1');
    expect(limited.body.reason).toMatch(/rate limit/i);
    await new Promise((resolve) => setTimeout(resolve, 550));
    expect((await get('/users')).status).toBe(200);
  });

  it('injects 5xx answers and slow pages', async () => {
    hex.fail(1, 503, { path: '/api/v1/projects' });
    expect((await get('/projects')).status).toBe(503);
    expect((await get('/projects')).status).toBe(200);
    hex.fail(1, 502, { path: '/api/v1/projects', skip: 1 });
    expect((await get('/projects')).status).toBe(200);
    expect((await get('/projects')).status).toBe(502);
    expect((await get('/projects')).status).toBe(200);
    hex.delay(300, { path: '/api/v1/projects', times: 1 });
    const started = Date.now();
    await get('/projects');
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });

  it('serves timestamps with milliseconds, or as given without them', async () => {
    hex.project({
      id: 'plain-time',
      title: 'No ms',
      createdAt: '2030-01-01T10:00:00Z',
      lastEditedAt: '2030-01-01T10:00:00Z',
    });
    const page = await get('/projects?limit=1');
    expect(page.body.values[0].createdAt).toBe('2030-01-01T10:00:00Z');
    const other = await get('/projects/00000000-0000-4000-8000-000000000001');
    expect(other.body.createdAt).toBe('2025-01-02T00:00:00.000Z');
    expect(encodeHexCursor('a', 'b')).toBe(Buffer.from('v2:["a","b"]').toString('base64url'));
  });
});
