/** A documented column (YAML) as the ingest stores it. */
export interface DocumentedColumn {
  name: string;
  description?: string | null;
  dataType?: string | null;
  tags?: string[] | null;
  meta?: Record<string, unknown> | null;
}

/** A column as catalog.json reports it, in the warehouse's case. */
export interface CatalogColumn {
  name: string;
  type?: string | null;
  index?: number | null;
  comment?: string | null;
}

export interface MergedColumn {
  name: string;
  description: string | null;
  dataType: string | null;
  comment: string | null;
  index: number | null;
  tags: string[];
  meta: Record<string, unknown>;
  documented: boolean;
}

/**
 * Joins YAML columns to catalog columns case-insensitively, as `dbt docs generate` does (Snowflake reports
 * `CUSTOMER_ID` for a YAML `customer_id`). Warehouse order first; documented columns the warehouse lacks
 * follow in YAML order. The YAML spelling of a name wins, since that is what people wrote.
 */
export function mergeColumns(documented: DocumentedColumn[], catalog: CatalogColumn[]): MergedColumn[] {
  const byKey = new Map(documented.map((column) => [column.name.toLowerCase(), column]));
  const merged: MergedColumn[] = [];
  const used = new Set<string>();
  const sorted = [...catalog].sort((left, right) => (left.index ?? Infinity) - (right.index ?? Infinity));
  for (const column of sorted) {
    const key = column.name.toLowerCase();
    const doc = byKey.get(key);
    used.add(key);
    merged.push({
      name: doc?.name ?? column.name,
      description: doc?.description || null,
      dataType: column.type ?? doc?.dataType ?? null,
      comment: column.comment ?? null,
      index: column.index ?? null,
      tags: doc?.tags ?? [],
      meta: doc?.meta ?? {},
      documented: Boolean(doc),
    });
  }
  for (const doc of documented) {
    if (used.has(doc.name.toLowerCase())) continue;
    merged.push({
      name: doc.name,
      description: doc.description || null,
      dataType: doc.dataType ?? null,
      comment: null,
      index: null,
      tags: doc.tags ?? [],
      meta: doc.meta ?? {},
      documented: true,
    });
  }
  return merged;
}
