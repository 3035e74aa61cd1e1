import { fileURLToPath } from 'node:url';
import { pendingSchemaChanges } from '@cartograph/platform/database';
import { checkCommittedSchema } from '@cartograph/platform/testing';
import { startWarehouse, type WarehouseTestApp } from './warehouse-test-app.js';

describe('committed subgraph schema', () => {
  let app: WarehouseTestApp;

  beforeAll(async () => {
    app = await startWarehouse({}, { worker: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('services/warehouse/schema.graphql is what the subgraph serves (run `npm run schema` after changing resolvers)', async () => {
    const { body } = await app.graphql(`{ _service { sdl } }`);
    const result = checkCommittedSchema(
      fileURLToPath(new URL('../schema.graphql', import.meta.url)),
      body.data._service.sdl,
    );
    expect(result.matches).toBe(true);
  });

  it('the migrations produce exactly what the entities describe (no drift)', async () => {
    expect(await pendingSchemaChanges(app.dataSource)).toEqual([]);
  });
});
