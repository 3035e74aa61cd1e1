/** Which source's description wins: curated dbt docs first, then what the warehouse says, then BI tools. */
export const descriptionPrecedence = ['dbt', 'dbt-cloud', 'warehouse', 'hex', 'semantic-layer'] as const;

/** Which source's kind wins: the warehouse knows what the relation physically is. */
export const kindPrecedence = ['warehouse', 'dbt', 'dbt-cloud', 'hex', 'semantic-layer'] as const;

export interface Sighting {
  source: string;
  kind: string;
  description: string | null;
  columnText?: string | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  removedAt: Date | null;
}

export interface DerivedDataset {
  kind: string;
  description: string | null;
  descriptionSource: string | null;
  /** What every active source says of the columns, in description precedence. */
  columnText: string | null;
  sources: string[];
  firstSeenAt: Date;
  lastSeenAt: Date;
  removedAt: Date | null;
}

function rank(order: readonly string[], source: string): number {
  const index = order.indexOf(source);
  return index === -1 ? order.length : index;
}

/** Derives the dataset row from every source's sighting; pure, so the precedence rules are unit-tested. */
export function deriveDataset(sightings: Sighting[], fallbackKind: string): DerivedDataset | null {
  if (sightings.length === 0) {
    return null;
  }
  const active = sightings.filter((sighting) => !sighting.removedAt);
  const considered = active.length > 0 ? active : sightings;
  const byDescription = [...considered]
    .filter((sighting) => sighting.description && sighting.description.trim() !== '')
    .sort(
      (left, right) => rank(descriptionPrecedence, left.source) - rank(descriptionPrecedence, right.source),
    );
  const byKind = [...considered]
    .filter((sighting) => sighting.kind && sighting.kind !== 'unknown')
    .sort((left, right) => rank(kindPrecedence, left.source) - rank(kindPrecedence, right.source));
  const removedAt =
    active.length > 0
      ? null
      : new Date(Math.max(...sightings.map((sighting) => sighting.removedAt?.getTime() ?? 0)));
  const columnText = [...considered]
    .sort(
      (left, right) => rank(descriptionPrecedence, left.source) - rank(descriptionPrecedence, right.source),
    )
    .map((sighting) => sighting.columnText?.trim())
    .filter((text): text is string => Boolean(text))
    .join('\n');
  return {
    kind: byKind[0]?.kind ?? fallbackKind,
    columnText: columnText || null,
    description: byDescription[0]?.description ?? null,
    descriptionSource: byDescription[0]?.source ?? null,
    sources: active.map((sighting) => sighting.source).sort(),
    firstSeenAt: new Date(Math.min(...sightings.map((sighting) => sighting.firstSeenAt.getTime()))),
    lastSeenAt: new Date(Math.max(...sightings.map((sighting) => sighting.lastSeenAt.getTime()))),
    removedAt,
  };
}
