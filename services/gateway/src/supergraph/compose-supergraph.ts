import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** Each service's committed `schema.graphql`, with the local routing URL from the service's package.json port. */
export function readSubgraphSources(servicesDirectory: string): SubgraphSource[] {
  return readdirSync(servicesDirectory, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(servicesDirectory, entry.name, 'schema.graphql')),
    )
    .map((entry) => {
      const directory = join(servicesDirectory, entry.name);
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        cartograph?: { port?: number };
      };
      return {
        name: entry.name,
        url: `http://127.0.0.1:${manifest.cartograph?.port ?? 0}/graphql`,
        sdl: readFileSync(join(directory, 'schema.graphql'), 'utf8'),
      };
    })
    .sort((left, right) => left.name.localeCompare(right.name));
}

export class CompositionError extends Error {}

/** Composes with @apollo/composition (pure JS, offline); the result is committed and diffed in CI. */
export function composeSupergraph(subgraphs: SubgraphSource[]): string {
  const result = composeServices(
    subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) })),
  );
  if (result.errors) {
    throw new CompositionError(
      `Supergraph composition failed:\n${result.errors.map((error) => `  - ${error.message}`).join('\n')}`,
    );
  }
  return `${result.supergraphSdl.trim()}\n`;
}
