import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeSupergraph, readSubgraphSources } from './compose-supergraph.js';

/** `cartograph compose`: rewrites services/gateway/supergraph.graphql from the committed subgraph SDLs. */
export function composeCommand(): void {
  const services = fileURLToPath(new URL('../../../../', import.meta.url));
  const output = fileURLToPath(new URL('../../../supergraph.graphql', import.meta.url));
  writeFileSync(output, composeSupergraph(readSubgraphSources(services)));
  process.stdout.write(`wrote ${output}\n`);
}
