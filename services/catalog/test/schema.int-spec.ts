import { fileURLToPath } from 'node:url';
import { checkCommittedSchema } from '@cartograph/platform/testing';
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
    const result = checkCommittedSchema(fileURLToPath(new URL('../schema.graphql', import.meta.url)), body.data._service.sdl);
    expect(result.matches).toBe(true);
  });
});
