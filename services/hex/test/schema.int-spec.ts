import { fileURLToPath } from 'node:url';
import { pendingSchemaChanges } from '@cartograph/platform/database';
import { checkCommittedSchema } from '@cartograph/platform/testing';
import { startHex, type HexTestApp } from './hex-test-app.js';

describe('committed subgraph schema', () => {
  let app: HexTestApp;

  beforeAll(async () => {
    app = await startHex({}, { worker: false });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('services/hex/schema.graphql is what the subgraph serves (run `npm run schema` after changing resolvers)', async () => {
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
