import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A batch of a `lineage.edges_observed` observation waiting for its siblings: a scope's edge set replaces
 * the previous one only when every batch of the observation has arrived, so a half-delivered set never
 * removes edges.
 */
@Entity({ name: 'observed_edge_batch' })
export class ObservedEdgeBatchEntity {
  @PrimaryColumn({ type: 'text' })
  observationId: string;

  @PrimaryColumn({ type: 'int' })
  batchIndex: number;

  @Column({ type: 'int' })
  batchCount: number;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'jsonb' })
  edges: { upstream: string; downstream: string }[];

  @Column({ type: 'timestamptz' })
  observedAt: Date;
}
