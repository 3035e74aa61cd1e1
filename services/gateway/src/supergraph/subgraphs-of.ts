import { Supergraph } from '@apollo/federation-internals';

/** The subgraphs (name and composed routing URL) recorded in a supergraph SDL. */
export function subgraphsOf(supergraphSdl: string): { name: string; url: string }[] {
  return Supergraph.build(supergraphSdl)
    .subgraphs()
    .values()
    .map((subgraph) => ({ name: subgraph.name, url: subgraph.url }));
}
