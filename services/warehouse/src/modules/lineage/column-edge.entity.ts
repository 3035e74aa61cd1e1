import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One column-to-column edge from a parsed statement (SELECT/INSERT/CTAS/VIEW). */
@Entity({ name: 'column_edge' })
@Index('column_edge_upstream_idx', ['upstreamId', 'upstreamColumn'])
@Index('column_edge_downstream_idx', ['downstreamId', 'downstreamColumn'])
export class ColumnEdgeEntity {
  @PrimaryColumn({ type: 'text' })
  scope: string;

  @PrimaryColumn({ type: 'bigint' })
  upstreamId: string;

  @PrimaryColumn({ type: 'text' })
  upstreamColumn: string;

  @PrimaryColumn({ type: 'bigint' })
  downstreamId: string;

  @PrimaryColumn({ type: 'text' })
  downstreamColumn: string;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;
}
