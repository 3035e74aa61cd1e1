import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * The committed `schema.graphql` of a subgraph must equal what the running subgraph serves as
 * `_service { sdl }`. With UPDATE_SCHEMAS=1 the file is rewritten instead (`npm run schema`).
 */
export function checkCommittedSchema(
  file: string,
  servedSdl: string,
): { matches: boolean; updated: boolean } {
  const normalized = `${servedSdl.trim()}\n`;
  if (process.env.UPDATE_SCHEMAS === '1') {
    writeFileSync(file, normalized);
    return { matches: true, updated: true };
  }
  const committed = existsSync(file) ? readFileSync(file, 'utf8') : '';
  return { matches: committed === normalized, updated: false };
}
