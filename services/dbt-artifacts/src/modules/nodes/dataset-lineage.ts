import type { LineageNodeRow } from './nodes.repository.js';

export interface DatasetEdge {
  upstream: string;
  downstream: string;
}

/**
 * Table-to-table edges of a project: a model's parents that are tables give an edge each; a parent without a
 * table of its own (an ephemeral model, a CTE at run time) is looked through to its own parents, so the
 * warehouse lineage graph runs from source tables to marts without gaps. Sorted, without duplicates.
 */
export function datasetEdges(nodes: LineageNodeRow[]): DatasetEdge[] {
  const byId = new Map(nodes.map((node) => [node.unique_id, node]));
  const resolved = new Map<string, string[]>();
  const tablesBehind = (uniqueId: string, visiting: Set<string>): string[] => {
    const node = byId.get(uniqueId);
    if (!node) return [];
    if (node.dataset_id) return [node.dataset_id];
    const cached = resolved.get(uniqueId);
    if (cached) return cached;
    if (visiting.has(uniqueId)) return [];
    visiting.add(uniqueId);
    const tables = [...new Set(node.depends_on.flatMap((parent) => tablesBehind(parent, visiting)))];
    visiting.delete(uniqueId);
    resolved.set(uniqueId, tables);
    return tables;
  };
  const edges = new Set<string>();
  for (const node of nodes) {
    if (!node.dataset_id) continue;
    for (const parent of node.depends_on) {
      for (const upstream of tablesBehind(parent, new Set())) {
        if (upstream !== node.dataset_id) edges.add(`${upstream}\u0000${node.dataset_id}`);
      }
    }
  }
  return [...edges].sort().map((edge) => {
    const [upstream, downstream] = edge.split('\u0000') as [string, string];
    return { upstream, downstream };
  });
}
