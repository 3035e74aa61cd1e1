import { datasetId } from '@cartograph/catalog-model';
import { LineageService } from '../src/modules/lineage/lineage.service.js';
import { LineageRepository } from '../src/modules/lineage/lineage.repository.js';
import { startWarehouse, viewer, type WarehouseTestApp } from './warehouse-test-app.js';

const id = (name: string, schema = 'marts') =>
  datasetId({ platform: 'postgres', instance: 'db.example.com:5432', database: 'analytics', schema, name });

const entity = (fields: string) =>
  `query($id: ID!) { _entities(representations: [{ __typename: "Dataset", id: $id }]) { ... on Dataset { ${fields} } } }`;

describe('lineage graph', () => {
  let app: WarehouseTestApp;
  let lineage: LineageService;
  let repository: LineageRepository;

  beforeAll(async () => {
    app = await startWarehouse({}, { worker: false });
    lineage = app.api.get(LineageService);
    repository = app.api.get(LineageRepository);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function observe(
    scope: string,
    observationId: string,
    edges: [string, string][],
    index = 0,
    count = 1,
  ) {
    await app.dataSource.transaction((manager) =>
      lineage.applyObservation(manager, {
        source: 'dbt',
        scope,
        observationId,
        batch: { index, count },
        edges: edges.map(([upstream, downstream]) => ({ upstream, downstream })),
        observedAt: new Date().toISOString(),
      }),
    );
  }

  async function changes(): Promise<{ scope: string; added: unknown[]; removed: unknown[] }[]> {
    const rows: { data: { scope: string; added: unknown[]; removed: unknown[] } }[] =
      await app.dataSource.query(
        `SELECT "data" FROM "warehouse"."outbox" WHERE "type" = 'lineage.edges_changed' ORDER BY "sequence"`,
      );
    return rows.map((row) => row.data);
  }

  it('joins a dbt observation only when all its batches arrived, and traverses it both ways', async () => {
    const [raw, staging, orders, revenue] = [
      id('raw_orders', 'raw'),
      id('stg_orders', 'staging'),
      id('orders'),
      id('revenue'),
    ];
    await observe('dbt-project/shop', 'obs-1', [[raw, staging]], 0, 2);
    let { body } = await app.graphql(entity('downstream(depth: 3) { dataset { id } distance }'), { id: raw });
    expect(body.data._entities[0].downstream).toEqual([]);

    await observe(
      'dbt-project/shop',
      'obs-1',
      [
        [staging, orders],
        [orders, revenue],
      ],
      1,
      2,
    );
    ({ body } = await app.graphql(entity('downstream(depth: 3) { dataset { id } distance }'), { id: raw }));
    expect(body.data._entities[0].downstream).toEqual([
      { dataset: { id: staging }, distance: 1 },
      { dataset: { id: orders }, distance: 2 },
      { dataset: { id: revenue }, distance: 3 },
    ]);
    ({ body } = await app.graphql(
      entity('upstream(depth: 2) { dataset { id } distance }'),
      { id: revenue },
      viewer,
    ));
    expect(body.data._entities[0].upstream).toEqual([
      { dataset: { id: orders }, distance: 1 },
      { dataset: { id: staging }, distance: 2 },
    ]);
    ({ body } = await app.graphql(
      entity(
        'lineage(direction: BOTH, depth: 1) { nodes { dataset { id } distance } edges { upstream downstream origins } truncated }',
      ),
      { id: orders },
    ));
    expect(body.data._entities[0].lineage).toEqual({
      nodes: [
        { dataset: { id: orders }, distance: 0 },
        { dataset: { id: staging }, distance: 1 },
        { dataset: { id: revenue }, distance: 1 },
      ],
      edges: expect.arrayContaining([
        { upstream: staging, downstream: orders, origins: ['dbt'] },
        { upstream: orders, downstream: revenue, origins: ['dbt'] },
      ]),
      truncated: false,
    });
    const [change] = await changes();
    expect(change).toMatchObject({ scope: 'dbt-project/shop' });
    expect(change!.added).toHaveLength(3);
  });

  it('a later complete observation replaces the scope; an edge another scope still has is not announced as removed', async () => {
    const [a, b, c] = [id('a'), id('b'), id('c')];
    await observe('dbt-project/one', 'one-1', [
      [a, b],
      [b, c],
    ]);
    await observe('dbt-project/two', 'two-1', [[a, b]]);
    const before = (await changes()).length;
    await observe('dbt-project/one', 'one-2', [[b, c]]);
    const after = (await changes()).slice(before);
    // a→b left scope one but scope two still has it: nothing changed for the graph.
    expect(after).toEqual([]);
    await observe('dbt-project/two', 'two-2', []);
    const last = (await changes()).slice(before);
    expect(last).toHaveLength(1);
    expect(last[0]!.removed).toEqual([{ upstream: a, downstream: b }]);
  });

  it('bounds depth and first with a clear message', async () => {
    const { body } = await app.graphql(entity('upstream(depth: 11) { distance }'), { id: id('a') });
    expect(body.errors![0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/depth must be from 1 to 10, got 11/);
  });

  it('query edges accumulate executions and users per scope and are announced once', async () => {
    const [x, y] = [id('x'), id('y')];
    const seen = new Date('2026-11-01T10:00:00Z');
    const edge = {
      upstream: x,
      downstream: y,
      executions: 3,
      firstSeenAt: seen,
      lastSeenAt: seen,
      queryKey: 'k1',
      users: ['ann'],
    };
    const first = await app.dataSource.transaction((manager) =>
      repository.observeEdges(manager, 'warehouse/w1', 'query', [edge, { ...edge, users: ['bob'] }]),
    );
    expect(first).toEqual([{ upstream: x, downstream: y }]);
    const second = await app.dataSource.transaction((manager) =>
      repository.observeEdges(manager, 'warehouse/w1', 'query', [
        { ...edge, executions: 2, lastSeenAt: new Date('2026-11-02T00:00:00Z'), queryKey: 'k2' },
      ]),
    );
    expect(second).toEqual([]);
    const [row] = await app.dataSource.query(
      `SELECT "executions"::int, "users", "query_keys", "last_seen_at" FROM "warehouse"."lineage_edge" WHERE "scope" = 'warehouse/w1'`,
    );
    expect(row.executions).toBe(8);
    expect([...row.users].sort()).toEqual(['ann', 'bob']);
    expect([...row.query_keys].sort()).toEqual(['k1', 'k2']);
    expect(row.last_seen_at.toISOString()).toBe('2026-11-02T00:00:00.000Z');
  });
});
