import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One table-to-table edge as one scope knows it (`warehouse/<connectionId>` from query history and view
 * definitions, `dbt-project/<name>` from dbt). The graph is the union of every scope's edges.
 */
@Entity({ name: 'lineage_edge' })
@Index('lineage_edge_upstream_idx', ['upstreamId', 'downstreamId'])
@Index('lineage_edge_downstream_idx', ['downstreamId', 'upstreamId'])
export class LineageEdgeEntity {
  @PrimaryColumn({ type: 'text' })
  scope: string;

  @PrimaryColumn({ type: 'bigint' })
  upstreamId: string;

  @PrimaryColumn({ type: 'bigint' })
  downstreamId: string;

  /** query, view or dbt. */
  @Column({ type: 'text' })
  origin: string;

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  /** Executions of the statements that showed it (0 for dbt and views). */
  @Column({ type: 'bigint', default: 0 })
  executions: string;

  /** Query keys of the statements that showed it, at most 20. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  queryKeys: string[];

  /** Distinct users, at most 20. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  users: string[];
}
