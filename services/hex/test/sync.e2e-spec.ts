import { FakeHex, TestStack, WebhookReceiver, eventually } from '@cartograph/platform/testing';

const TOKEN = 'hxtw_workspace_0123456789abcdefXYZ9';
const PERSONAL = 'hxtp_alice_personal_0123456789abcd';
const NO_USERS = 'hxtw_projects_only_0123456789abcdef';

const ids = {
  revenue: '0195cd37-13e6-7000-88f1-535fa4c874a5',
  scratch: '0195cd37-13e6-7000-88f1-535fa4c874a6',
  funnel: '0195cd37-13e6-7000-88f1-535fa4c874a7',
  picker: '0195cd37-13e6-7000-88f1-535fa4c874a8',
  archived: '0195cd37-13e6-7000-88f1-535fa4c874a9',
  trashed: '0195cd37-13e6-7000-88f1-535fa4c874aa',
  doomed: '0195cd37-13e6-7000-88f1-535fa4c874ab',
  plain: '0195cd37-13e6-7000-88f1-535fa4c874ac',
  ephemeral: '0195cd37-13e6-7000-88f1-535fa4c874ad',
};

const PROJECT_FIELDS = `id synced connectionId title description type status categories collections tags
  owner { email name source } creatorEmail hexOwnerEmail createdAt lastEditedAt lastPublishedAt published
  archivedAt trashedAt appViews { allTime lastSevenDays lastFourteenDays lastThirtyDays } lastViewedAt
  schedules { cadence enabled settings } url removedAt`;

describe('Hex sync through the gateway', () => {
  const hex = new FakeHex();
  const receiver = new WebhookReceiver();
  let stack: TestStack;

  beforeAll(async () => {
    await hex.start();
    hex
      .token(TOKEN)
      .token(PERSONAL, { user: 'alice@acme.test' })
      .token(NO_USERS, { scopes: ['projects'] })
      .user({ email: 'Alice@acme.test', name: 'Alice Doe', role: 'ADMIN' })
      .user({ email: 'bob@acme.test', name: 'Bob Roe' })
      .user({ email: 'dana@acme.test', name: 'Dana Poe' })
      .collection({ name: 'Finance' })
      .collection({ name: 'Marketing' })
      .dataConnection({ id: 'dc-snow', name: 'Snowflake prod', type: 'snowflake' })
      .project({
        id: ids.revenue,
        title: 'Revenue dashboard',
        description: 'Monthly revenue.\n\n',
        creatorEmail: 'bob@acme.test',
        ownerEmail: 'alice@acme.test',
        status: 'Approved',
        categories: ['Finance KPIs'],
        collections: ['Finance'],
        createdAt: new Date('2025-01-01T10:00:00.123Z'),
        lastEditedAt: new Date('2025-06-01T10:00:00.456Z'),
        lastPublishedAt: new Date('2025-06-01T11:00:00.000Z'),
        appViews: { allTime: 120, lastSevenDays: 7, lastFourteenDays: 14, lastThirtyDays: 30 },
        lastViewedAt: new Date('2025-06-02T09:00:00.000Z'),
        schedules: [{ cadence: 'DAILY', hour: 6, timezone: '+05:30' }],
        workspaceAccess: 'CAN_VIEW',
      })
      .project({
        id: ids.scratch,
        title: 'Scratch notebook',
        creatorEmail: 'bob@acme.test',
        categories: ['Scratchpad'],
        createdAt: new Date('2025-01-02T10:00:00.000Z'),
        lastEditedAt: new Date('2025-05-01T10:00:00.000Z'),
      })
      .project({
        id: ids.funnel,
        title: 'Marketing funnel',
        creatorEmail: 'carol@elsewhere.test',
        status: 'In development',
        collections: ['Marketing'],
        createdAt: new Date('2025-01-03T10:00:00.000Z'),
        lastEditedAt: new Date('2025-04-01T10:00:00.000Z'),
        lastPublishedAt: new Date('2025-04-01T11:00:00.000Z'),
      })
      .project({
        id: ids.picker,
        title: 'Date picker',
        type: 'COMPONENT',
        creatorEmail: 'bob@acme.test',
        createdAt: new Date('2025-01-04T10:00:00.000Z'),
        lastEditedAt: new Date('2025-03-01T10:00:00.000Z'),
        lastPublishedAt: new Date('2025-03-01T11:00:00.000Z'),
      })
      .project({
        id: ids.archived,
        title: 'Old report',
        createdAt: new Date('2025-01-05T10:00:00.000Z'),
        archivedAt: new Date('2025-02-01T10:00:00.000Z'),
      })
      .project({
        id: ids.trashed,
        title: 'Binned analysis',
        createdAt: new Date('2025-01-06T10:00:00.000Z'),
        trashedAt: new Date('2025-02-01T10:00:00.000Z'),
      })
      .project({
        id: ids.doomed,
        title: 'Soon deleted',
        createdAt: new Date('2025-01-07T10:00:00.000Z'),
        lastEditedAt: new Date('2025-02-01T10:00:00.000Z'),
      })
      .project({
        id: ids.plain,
        title: 'Timestamps without milliseconds',
        createdAt: '2025-01-08T10:00:00Z',
        lastEditedAt: '2025-02-02T10:00:00Z',
      });
    stack = await TestStack.start({
      project: 'hex',
      services: ['hex'],
      environment: { HEX_REQUESTS_PER_MINUTE: '6000', HEX_RATE_LIMIT_BURST: '20' },
    });
    // Subscribed long before the deletions, so the catalog worker's short subscription cache has it.
    const url = await receiver.start();
    const subscribed = await stack.graphql(
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret } }`,
      { input: { url, eventTypes: ['hex.project.removed'] } },
    );
    expect(subscribed.body.errors).toBeUndefined();
    receiver.secret = subscribed.body.data.createWebhookSubscription.secret;
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await hex.stop();
    await receiver.stop();
  });

  async function connect(name: string, options: object = {}, token = TOKEN): Promise<string> {
    const created = await stack.graphql(
      `mutation($input: CreateHexConnectionInput!) { createHexConnection(input: $input) { id tokenHint tokenType } }`,
      { input: { name, host: `${hex.baseUrl}/`, workspaceSlug: 'acme', token, options } },
    );
    expect(created.body.errors).toBeUndefined();
    return created.body.data.createHexConnection.id;
  }

  async function sync(connectionId: string, full = false): Promise<any> {
    const started = await stack.graphql(
      `mutation($id: ID!, $full: Boolean) { syncHexConnection(id: $id, full: $full) { id state } }`,
      { id: connectionId, full },
    );
    expect(started.body.errors).toBeUndefined();
    const runId = started.body.data.syncHexConnection.id;
    return eventually(async () => {
      const { body } = await stack.graphql(
        `query($id: ID!) { hexConnection(id: $id) { syncRuns(first: 5) { edges { node { id state counts error { code message } problems } } } } }`,
        { id: connectionId },
      );
      const run = body.data?.hexConnection?.syncRuns.edges
        .map((edge: any) => edge.node)
        .find((node: any) => node.id === runId);
      return run && ['succeeded', 'failed'].includes(run.state) ? run : null;
    }, 60_000);
  }

  async function projects(connectionId: string, filter: object = {}): Promise<any[]> {
    const { body } = await stack.graphql(
      `query($filter: HexProjectFilter) { hexProjects(filter: $filter, first: 100) { totalCount edges { node { ${PROJECT_FIELDS} } } } }`,
      { filter: { connectionId, ...filter } },
    );
    expect(body.errors).toBeUndefined();
    return body.data.hexProjects.edges.map((edge: any) => edge.node);
  }

  const titles = (list: any[]) => list.map((project) => project.title).sort();

  it('syncs projects with tags, owners, status, usage, schedules and URLs', async () => {
    const connectionId = await connect('acme');
    const run = await sync(connectionId);
    expect(run.error).toBeNull();
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ full: 1, pages: 1, users: 3, upserted: 6, removed: 0 });

    const list = await projects(connectionId);
    expect(titles(list)).toEqual([
      'Date picker',
      'Marketing funnel',
      'Revenue dashboard',
      'Scratch notebook',
      'Soon deleted',
      'Timestamps without milliseconds',
    ]);
    const revenue = list.find((project) => project.id === ids.revenue);
    expect(revenue).toMatchObject({
      synced: true,
      connectionId,
      description: 'Monthly revenue.',
      type: 'PROJECT',
      status: 'Approved',
      categories: ['Finance KPIs'],
      collections: ['Finance'],
      tags: ['hex:category:Finance KPIs', 'hex:status:Approved', 'hex:collection:Finance'],
      owner: { email: 'alice@acme.test', name: 'Alice Doe', source: 'hex' },
      creatorEmail: 'bob@acme.test',
      hexOwnerEmail: 'alice@acme.test',
      createdAt: '2025-01-01T10:00:00.123Z',
      lastEditedAt: '2025-06-01T10:00:00.456Z',
      published: true,
      appViews: { allTime: 120, lastSevenDays: 7, lastFourteenDays: 14, lastThirtyDays: 30 },
      lastViewedAt: '2025-06-02T09:00:00.000Z',
      schedules: [{ cadence: 'DAILY', enabled: true, settings: { timezone: '+05:30', minute: 0, hour: 6 } }],
    });
    // Published: the app, with the base62 id (22 characters of 0-9A-Za-z).
    expect(revenue.url).toMatch(new RegExp(`^${hex.baseUrl}/acme/app/[0-9A-Za-z]{22}$`));
    const scratch = list.find((project) => project.id === ids.scratch);
    expect(scratch.published).toBe(false);
    expect(scratch.url).toMatch(new RegExp(`^${hex.baseUrl}/acme/hex/[0-9A-Za-z]{22}$`));
    expect(scratch.owner).toEqual({ email: 'bob@acme.test', name: 'Bob Roe', source: 'hex' });
    // An owner who is not a user of the workspace is not matched; Hex's email stays visible.
    const funnel = list.find((project) => project.id === ids.funnel);
    expect(funnel.owner).toBeNull();
    expect(funnel.hexOwnerEmail).toBe('carol@elsewhere.test');
    expect(funnel.tags).toEqual(['hex:status:In development', 'hex:collection:Marketing']);
    expect(list.find((project) => project.id === ids.plain).createdAt).toBe('2025-01-08T10:00:00.000Z');
    expect(list.find((project) => project.id === ids.picker).type).toBe('COMPONENT');

    const one = await stack.graphql(`query($id: ID!) { hexProject(id: $id) { title url } }`, {
      id: ids.revenue,
    });
    expect(one.body.data.hexProject.title).toBe('Revenue dashboard');
    // Listing: limit 100, sharing for collections, components, by creation time for a full listing.
    const listing = hex.requestsTo('/api/v1/projects').at(-1)!;
    expect(listing.searchParams.get('limit')).toBe('100');
    expect(listing.searchParams.get('includeSharing')).toBe('true');
    expect(listing.searchParams.get('includeComponents')).toBe('true');
    expect(listing.searchParams.get('sortBy')).toBe('CREATED_AT');
  }, 120_000);

  it('filters by regex on the title and on the collection path (dot notation)', async () => {
    const byTitle = await connect('by-title', { includePatterns: ['^revenue'] });
    expect((await sync(byTitle)).state).toBe('succeeded');
    expect(titles(await projects(byTitle))).toEqual(['Revenue dashboard']);

    const byCollection = await connect('by-collection', { includePatterns: ['^Marketing\\.'] });
    await sync(byCollection);
    expect(titles(await projects(byCollection))).toEqual(['Marketing funnel']);

    const excluding = await connect('excluding', { excludePatterns: ['scratch', '^Finance\\.'] });
    const run = await sync(excluding);
    expect(run.counts.skipped).toBe(2);
    expect(titles(await projects(excluding))).not.toContain('Scratch notebook');
    expect(titles(await projects(excluding))).not.toContain('Revenue dashboard');
  }, 120_000);

  it('filters by category and by status', async () => {
    const scratchpad = await connect('by-category', { categories: ['Scratchpad'] });
    await sync(scratchpad);
    expect(titles(await projects(scratchpad))).toEqual(['Scratch notebook']);
    expect(hex.requestsTo('/api/v1/projects').at(-1)!.searchParams.getAll('categories')).toEqual([
      'Scratchpad',
    ]);

    const approved = await connect('by-status', { statuses: ['Approved'] });
    await sync(approved);
    expect(titles(await projects(approved))).toEqual(['Revenue dashboard']);
  }, 120_000);

  it('leaves components out unless included', async () => {
    const connectionId = await connect('no-components', { includeComponents: false });
    await sync(connectionId);
    expect(titles(await projects(connectionId))).not.toContain('Date picker');
    expect(hex.requestsTo('/api/v1/projects').at(-1)!.searchParams.get('includeComponents')).toBe('false');
  }, 120_000);

  it('includes archived and trashed projects only when asked', async () => {
    const archived = await connect('with-archived', { includeArchived: true });
    await sync(archived);
    const withArchived = await projects(archived);
    expect(titles(withArchived)).toContain('Old report');
    expect(titles(withArchived)).not.toContain('Binned analysis');
    expect(withArchived.find((project) => project.id === ids.archived).archivedAt).toBe(
      '2025-02-01T10:00:00.000Z',
    );

    const trashed = await connect('with-trashed', { includeTrashed: true });
    await sync(trashed);
    expect(titles(await projects(trashed))).toContain('Binned analysis');
    expect(titles(await projects(trashed))).not.toContain('Old report');
  }, 120_000);

  it('leaves drafts (never published) out when includeDrafts is off', async () => {
    const connectionId = await connect('published-only', { includeDrafts: false });
    await sync(connectionId);
    expect(titles(await projects(connectionId))).toEqual([
      'Date picker',
      'Marketing funnel',
      'Revenue dashboard',
    ]);
  }, 120_000);

  it('imports categories, statuses and collections as tags only when asked, each in its own group', async () => {
    const none = await connect('no-tags', {
      categoriesAsTags: false,
      statusesAsTags: false,
      collectionsAsTags: false,
    });
    await sync(none);
    expect((await projects(none)).find((project) => project.id === ids.revenue).tags).toEqual([]);

    const statusOnly = await connect('status-tags', { categoriesAsTags: false, collectionsAsTags: false });
    await sync(statusOnly);
    expect((await projects(statusOnly)).find((project) => project.id === ids.revenue).tags).toEqual([
      'hex:status:Approved',
    ]);
    const tagged = await projects(statusOnly, { tag: 'hex:status:Approved' });
    expect(titles(tagged)).toEqual(['Revenue dashboard']);
  }, 120_000);

  it('matches owners only when includeOwners is on, and never overwrites an owner set by hand', async () => {
    const without = await connect('no-owners', { includeOwners: false });
    const run = await sync(without);
    expect(run.counts.users).toBeUndefined();
    expect((await projects(without)).every((project) => project.owner === null)).toBe(true);

    const connectionId = await connect('manual-owner');
    await sync(connectionId);
    const set = await stack.graphql(
      `mutation($id: ID!, $connectionId: ID) { setHexProjectOwner(id: $id, email: "Dana@acme.test", connectionId: $connectionId) { owner { email name source } } }`,
      { id: ids.funnel, connectionId },
    );
    expect(set.body.errors).toBeUndefined();
    expect(set.body.data.setHexProjectOwner.owner).toEqual({
      email: 'dana@acme.test',
      name: 'Dana Poe',
      source: 'manual',
    });
    const bad = await stack.graphql(
      `mutation { setHexProjectOwner(id: "${ids.funnel}", email: "not an email") { id } }`,
    );
    expect(bad.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    // Hex changes the owner of both; the manual owner stays, the other follows Hex.
    hex.editProject(ids.funnel, { ownerEmail: 'bob@acme.test' });
    hex.editProject(ids.scratch, { ownerEmail: 'alice@acme.test' });
    await sync(connectionId, true);
    const list = await projects(connectionId);
    expect(list.find((project) => project.id === ids.funnel).owner).toEqual({
      email: 'dana@acme.test',
      name: 'Dana Poe',
      source: 'manual',
    });
    expect(list.find((project) => project.id === ids.scratch).owner.email).toBe('alice@acme.test');
    expect(titles(await projects(connectionId, { owner: 'dana@acme.test' }))).toEqual(['Marketing funnel']);
  }, 120_000);

  it('an incremental sync reads the newest edits only and stops at the checkpoint', async () => {
    const connectionId = await connect('incremental');
    expect((await sync(connectionId)).counts.full).toBe(1);
    hex.editProject(ids.revenue, { title: 'Revenue dashboard v2', lastEditedAt: new Date() });
    hex.resetRequests();
    const run = await sync(connectionId);
    expect(run.state).toBe('succeeded');
    expect(run.counts).toMatchObject({ full: 0, pages: 1, upserted: 1 });
    expect(run.counts.listed).toBeLessThanOrEqual(3);
    const listing = hex.requestsTo('/api/v1/projects');
    expect(listing).toHaveLength(1);
    expect(listing[0]!.searchParams.get('sortBy')).toBe('LAST_EDITED_AT');
    expect(listing[0]!.searchParams.get('sortDirection')).toBe('DESC');
    expect(titles(await projects(connectionId))).toContain('Revenue dashboard v2');
    hex.editProject(ids.revenue, { title: 'Revenue dashboard', lastEditedAt: new Date() });
  }, 120_000);

  it('soft-deletes a project deleted upstream on the next full sync and delivers hex.project.removed', async () => {
    hex.project({
      id: ids.ephemeral,
      title: 'Ephemeral note',
      createdAt: new Date('2025-01-09T10:00:00.000Z'),
    });
    const connectionId = await connect('deletions');
    const kept = await connect('deletions-kept', { markDeleted: false, excludePatterns: ['^ephemeral'] });
    await sync(connectionId);
    await sync(kept);
    await eventually(async () => {
      const { body } = await stack.graphql(
        `{ search(query: "ephemeral note", types: [HEX_PROJECT]) { totalCount } }`,
      );
      return body.data?.search.totalCount === 1 || null;
    }, 30_000);
    hex.removeProject(ids.doomed);
    hex.removeProject(ids.ephemeral);
    // An incremental sync cannot see deletions; the full one can.
    expect((await sync(connectionId)).counts.removed ?? 0).toBe(0);
    const run = await sync(connectionId, true);
    expect(run.counts).toMatchObject({ full: 1, removed: 2 });
    expect(titles(await projects(connectionId))).not.toContain('Soon deleted');
    const removed = (await projects(connectionId, { includeRemoved: true })).find(
      (project) => project.id === ids.doomed,
    );
    expect(removed.removedAt).not.toBeNull();
    await sync(kept, true);
    expect(titles(await projects(kept))).toContain('Soon deleted');

    const delivered = await eventually(async () => {
      const hooks = receiver
        .delivered()
        .filter(
          (hook) =>
            hook.eventType === 'hex.project.removed' &&
            JSON.parse(hook.body).data.connectionId === connectionId,
        );
      return hooks.length >= 2 ? hooks : null;
    }, 60_000);
    expect(delivered.map((hook) => JSON.parse(hook.body).data.projectId).sort()).toEqual(
      [ids.doomed, ids.ephemeral].sort(),
    );
    expect(delivered.every((hook) => hook.signatureValid)).toBe(true);
    const event = delivered
      .map((hook) => JSON.parse(hook.body))
      .find((body) => body.data.projectId === ids.doomed);
    // Search: the ephemeral project, which only this connection listed, is gone; the other one stays while
    // other connections still list it.
    const found = async (query: string) => {
      const { body } = await stack.graphql(
        `query($query: String!) { search(query: $query, types: [HEX_PROJECT]) { edges { node { id } } } }`,
        { query },
      );
      return body.data.search.edges.map((edge: any) => edge.node.id);
    };
    await eventually(async () => !(await found('ephemeral note')).includes(ids.ephemeral) || null, 30_000);
    expect(await found('soon deleted')).toContain(ids.doomed);
    expect(event).toMatchObject({
      type: 'hex.project.removed',
      subject: `hex/projects/${ids.doomed}`,
      data: { connectionId, projectId: ids.doomed, title: 'Soon deleted' },
    });
  }, 180_000);

  it('Hex projects appear in the catalog search (from the hex events), typo-tolerant and filtered by type', async () => {
    const search = async (query: string, types?: string[]) => {
      const { body } = await stack.graphql(
        `query($query: String!, $types: [SearchResultType!]) { search(query: $query, types: $types, first: 10) {
           totalCount edges { node { type id title snippet hexProject { id title url owner { email } } dataset { id } } } } }`,
        { query, types },
      );
      expect(body.errors).toBeUndefined();
      return body.data.search.edges.map((edge: any) => edge.node);
    };
    const hits = await eventually(async () => {
      const found = await search('revenue dashboard');
      return found.some((hit: any) => hit.type === 'HEX_PROJECT') ? found : null;
    }, 30_000);
    const revenue = hits.find((hit: any) => hit.id === ids.revenue);
    expect(revenue).toMatchObject({ type: 'HEX_PROJECT', title: 'Revenue dashboard', dataset: null });
    expect(revenue.snippet).toMatch(/<mark>/);
    // The gateway resolves the project's fields from the hex subgraph.
    expect(revenue.hexProject.title).toBe('Revenue dashboard');
    expect(revenue.hexProject.url).toMatch(/\/acme\/app\//);
    // A typo is corrected from the vocabulary the titles joined.
    expect((await search('revenu dashbord')).map((hit: any) => hit.id)).toContain(ids.revenue);
    expect(await search('revenue dashboard', ['DATASET'])).toEqual([]);
    expect((await search('marketing', ['HEX_PROJECT'])).map((hit: any) => hit.id)).toEqual([ids.funnel]);
  }, 60_000);

  it('refuses an invalid or catastrophic pattern at save with a clear message, changing nothing', async () => {
    const invalid = await stack.graphql(
      `mutation($input: CreateHexConnectionInput!) { createHexConnection(input: $input) { id } }`,
      {
        input: {
          name: 'bad-pattern',
          host: hex.baseUrl,
          workspaceSlug: 'acme',
          token: TOKEN,
          options: { includePatterns: ['revenue[('] },
        },
      },
    );
    expect(invalid.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(invalid.body.errors?.[0]?.message).toMatch(
      /options\.includePatterns: "revenue\[\(" is not a valid regular expression/,
    );
    const connectionId = await connect('patterns-kept', { excludePatterns: ['^tmp'] });
    const catastrophic = await stack.graphql(
      `mutation($id: ID!) { updateHexConnection(id: $id, input: { options: { excludePatterns: ["(a+)+$"] } }) { id } }`,
      { id: connectionId },
    );
    expect(catastrophic.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(catastrophic.body.errors?.[0]?.message).toMatch(/exponential time/);
    const stored = await stack.graphql(`query($id: ID!) { hexConnection(id: $id) { excludePatterns } }`, {
      id: connectionId,
    });
    expect(stored.body.data.hexConnection.excludePatterns).toEqual(['^tmp']);
    const list = await stack.graphql(`{ hexConnections { edges { node { name } } } }`);
    expect(list.body.data.hexConnections.edges.map((edge: any) => edge.node.name)).not.toContain(
      'bad-pattern',
    );
  });

  it('an expired token (401) fails the sync with a clear message, keeps the projects, and never shows the token', async () => {
    const expiring = 'hxtw_expiring_token_0123456789abcd';
    hex.token(expiring);
    const connectionId = await connect('expiring', {}, expiring);
    expect((await sync(connectionId)).state).toBe('succeeded');
    const before = titles(await projects(connectionId));
    hex.revoke(expiring);
    const run = await sync(connectionId, true);
    expect(run.state).toBe('failed');
    expect(run.error.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(run.error.message).toMatch(/Hex refused the token \(HTTP 401\).*wrong, expired or revoked/);
    expect(titles(await projects(connectionId))).toEqual(before);
    const { body } = await stack.graphql(
      `query($id: ID!) { hexConnection(id: $id) { tokenHint lastError { code message } syncRuns { edges { node { error { message } problems } } } } }`,
      { id: connectionId },
    );
    expect(body.data.hexConnection.lastError.code).toBe('UPSTREAM_AUTH_FAILED');
    expect(body.data.hexConnection.tokenHint).toBe('…abcd');
    const text = JSON.stringify(body) + stack.logs.join('\n');
    for (const token of [expiring, TOKEN, PERSONAL]) expect(text).not.toContain(token);
  }, 120_000);

  it('testHexConnection says what the token can see and what kind it is', async () => {
    const workspace = await connect('test-workspace');
    const answer = await stack.graphql(
      `mutation($id: ID!) { testHexConnection(id: $id) { ok tokenType coverage error { code }
         projects { ok count } dataConnections { ok count } collections { ok count } users { ok count message }
         queriedTables { ok message } unmappedDataConnections } }`,
      { id: workspace },
    );
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.testHexConnection).toMatchObject({
      ok: true,
      tokenType: 'workspace',
      // Listed with components, without archived and trashed ones.
      projects: { ok: true, count: hex.projectCount - 2 },
      dataConnections: { ok: true, count: 1 },
      collections: { ok: true, count: 2 },
      users: { ok: true, count: 3 },
      queriedTables: { ok: false },
      unmappedDataConnections: ['dc-snow (Snowflake prod, snowflake)'],
    });

    const personal = await connect('test-personal', {}, PERSONAL);
    const personalAnswer = await stack.graphql(
      `mutation($id: ID!) { testHexConnection(id: $id) { ok tokenType coverage projects { count } } }`,
      { id: personal },
    );
    expect(personalAnswer.body.data.testHexConnection).toMatchObject({ ok: true, tokenType: 'personal' });
    // Alice sees the projects she owns or that are shared with the workspace, not all of them.
    expect(personalAnswer.body.data.testHexConnection.projects.count).toBeGreaterThan(0);
    expect(personalAnswer.body.data.testHexConnection.projects.count).toBeLessThan(hex.projectCount - 2);
    expect(personalAnswer.body.data.testHexConnection.coverage).toMatch(/only what its user can see/);

    const limited = await connect('test-limited', {}, NO_USERS);
    const limitedAnswer = await stack.graphql(
      `mutation($id: ID!) { testHexConnection(id: $id) { ok users { ok message } } }`,
      { id: limited },
    );
    expect(limitedAnswer.body.data.testHexConnection.ok).toBe(true);
    expect(limitedAnswer.body.data.testHexConnection.users.ok).toBe(false);
    expect(limitedAnswer.body.data.testHexConnection.users.message).toMatch(/403/);
  }, 60_000);
});
