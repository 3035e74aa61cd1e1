import { fileURLToPath } from 'node:url';
import { pendingSchemaChanges } from '@cartograph/platform/database';
import { checkCommittedSchema } from '@cartograph/platform/testing';
import { DataSource } from 'typeorm';
import { startCatalog, type CatalogTestApp } from './catalog-test-app.js';

describe('committed subgraph schema', () => {
  let app: CatalogTestApp;

  beforeAll(async () => {
    app = await startCatalog();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('services/catalog/schema.graphql is what the subgraph serves (run `npm run schema` after changing resolvers)', async () => {
    const { body } = await app.graphql(`{ _service { sdl } }`);
    const result = checkCommittedSchema(
      fileURLToPath(new URL('../schema.graphql', import.meta.url)),
      body.data._service.sdl,
    );
    expect(result.matches).toBe(true);
  });

  it('the migrations produce exactly what the entities describe (no drift)', async () => {
    expect(await pendingSchemaChanges(app.api.get(DataSource))).toEqual([]);
  });
});
