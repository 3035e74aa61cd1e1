import { parseQueryAttributions } from './query-attribution.parser.js';

const hexComment = JSON.stringify({
  categories: ['Reporting'],
  cell_type: 'SQL',
  connection: 'Warehouse',
  context: 'SCHEDULED_RUN',
  project_id: 'd73da67d-c87b-4dd8-9e7f-b79cb7f822cf',
  project_name: 'PlayNotebook',
  project_url:
    'https://app.hex.tech/some-hex-workspace/hex/d73da67d-c87b-4dd8-9e7f-b79cb7f822cf/draft/logic?selectedCellId=2520f866-8bb6-43dc-8d52-8f522a938b9c',
  status: 'In development',
  trace_id: '0195cd3713e6700088f1535fa4c874a5',
  user_email: 'alice@email.com',
});

describe('parseQueryAttributions: Hex', () => {
  it('reads the trailing comment Hex appends, every key kept, workspace and cell from the URL', () => {
    const [attribution] = parseQueryAttributions(
      `select * from t limit 100\n-- Hex query metadata: ${hexComment}\n`,
    );
    expect(attribution).toEqual({
      tool: 'hex',
      projectId: 'd73da67d-c87b-4dd8-9e7f-b79cb7f822cf',
      projectName: 'PlayNotebook',
      detail: expect.objectContaining({
        context: 'SCHEDULED_RUN',
        connection: 'Warehouse',
        categories: '["Reporting"]',
        trace_id: '0195cd3713e6700088f1535fa4c874a5',
        user_email: 'alice@email.com',
        workspace: 'some-hex-workspace',
        cell_id: '2520f866-8bb6-43dc-8d52-8f522a938b9c',
      }),
    });
    expect(attribution!.truncated).toBeUndefined();
  });

  it('reads braces and escaped quotes inside string values', () => {
    const comment = JSON.stringify({ project_id: 'p1', project_name: 'Churn {by} "cohort" }', status: '{' });
    const [attribution] = parseQueryAttributions(`select 1 -- Hex query metadata: ${comment}`);
    expect(attribution).toMatchObject({
      projectId: 'p1',
      projectName: 'Churn {by} "cohort" }',
      detail: { status: '{' },
    });
  });

  it('finds the comment in the middle of the text and inside a CTE, in any key order', () => {
    const text = `with a as (\n  select 1 -- Hex query metadata: {"status": "x", "project_id": "proj_123"}\n)\nselect * from a`;
    expect(parseQueryAttributions(text)).toMatchObject([{ tool: 'hex', projectId: 'proj_123' }]);
  });

  it('accepts /app/ URLs, custom hosts, http and non-UUID ids', () => {
    const [attribution] = parseQueryAttributions(
      'select 1\n-- Hex query metadata: {"project_id": 123, "project_url": "http://hex.internal.example/acme/app/123/latest"}',
    );
    expect(attribution).toMatchObject({ projectId: '123', detail: { workspace: 'acme' } });
  });

  it('keeps the project id and no workspace when the URL has another shape', () => {
    const [attribution] = parseQueryAttributions(
      '-- Hex query metadata: {"project_id": "project1", "project_url": "https://example.com/somewhere"}',
    );
    expect(attribution!.projectId).toBe('project1');
    expect(attribution!.detail!.workspace).toBeUndefined();
  });

  it('reads a comment cut off by the warehouse as far as its last complete member', () => {
    const cut = `select 1\n-- Hex query metadata: ${hexComment.slice(0, hexComment.indexOf('"project_url"') + 30)}`;
    const [attribution] = parseQueryAttributions(cut);
    expect(attribution).toMatchObject({
      projectId: 'd73da67d-c87b-4dd8-9e7f-b79cb7f822cf',
      projectName: 'PlayNotebook',
      truncated: true,
    });
    expect(attribution!.detail!.project_url).toBeUndefined();
  });

  it('gives nothing when the cut falls inside project_id', () => {
    const cut = `select 1 -- Hex query metadata: {"context": "APP_VIEW", "project_id": "d73da67d-c87b`;
    expect(parseQueryAttributions(cut)).toEqual([]);
  });

  it('does not match without the -- marker, or without a project_id', () => {
    expect(parseQueryAttributions(`select 1 /* Hex query metadata: {"project_id": "p"} */`)).toEqual([]);
    expect(parseQueryAttributions(`select 'Hex query metadata: {"project_id": "p"}'`)).toEqual([]);
    expect(parseQueryAttributions(`select 1 -- Hex query metadata: {"project_name": "p"}`)).toEqual([]);
  });
});

describe('parseQueryAttributions: dbt and Looker', () => {
  it('reads dbt’s query comment', () => {
    const text =
      '/* {"app": "dbt", "dbt_version": "1.9.0", "profile_name": "jaffle_shop", "target_name": "prod", "node_id": "model.jaffle_shop.orders", "invocation_id": "abc"} */\ncreate table x as select 1';
    expect(parseQueryAttributions(text)).toEqual([
      {
        tool: 'dbt',
        projectId: 'model.jaffle_shop.orders',
        detail: {
          dbt_version: '1.9.0',
          profile_name: 'jaffle_shop',
          target_name: 'prod',
          invocation_id: 'abc',
        },
      },
    ]);
  });

  it('ignores block comments of other applications', () => {
    expect(parseQueryAttributions('/* {"app": "cartograph"} */ select 1')).toEqual([]);
  });

  it('reads the Looker query context', () => {
    const text = `-- Looker Query Context '{"user_id":181,"history_slug":"9dcf35a","instance_slug":"i1"}'\nSELECT 1`;
    expect(parseQueryAttributions(text)).toEqual([
      { tool: 'looker', projectId: '9dcf35a', detail: { user_id: '181', instance_slug: 'i1' } },
    ]);
  });

  it('returns nothing for text without comments, reads what it can of a broken comment, never throws', () => {
    expect(parseQueryAttributions('select 1')).toEqual([]);
    expect(parseQueryAttributions('-- Hex query metadata: {{{{')).toEqual([]);
    expect(parseQueryAttributions('/* {"app": "dbt" */')).toEqual([
      { tool: 'dbt', detail: {}, truncated: true },
    ]);
    expect(parseQueryAttributions('/* {"app": */')).toEqual([]);
  });
});
