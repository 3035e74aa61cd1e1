import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeSupergraph, readSubgraphSources } from './compose-supergraph.js';

const services = fileURLToPath(new URL('../../../', import.meta.url));

describe('supergraph', () => {
  it('the committed supergraph.graphql is a fresh composition of every committed subgraph SDL (run `npm run schema`)', () => {
    const committed = readFileSync(
      fileURLToPath(new URL('../../supergraph.graphql', import.meta.url)),
      'utf8',
    );
    expect(committed).toBe(composeSupergraph(readSubgraphSources(services)));
  });

  it('reports composition errors with the subgraph problem', () => {
    const broken = readSubgraphSources(services).map((source) => ({ ...source }));
    broken.push({
      name: 'clash',
      url: 'http://127.0.0.1:1/graphql',
      sdl: broken[0]!.sdl.replace(/type Dataset @key\(fields: "id"\)/, 'type Dataset'),
    });
    expect(() => composeSupergraph(broken)).toThrow(/Supergraph composition failed/);
  });
});
