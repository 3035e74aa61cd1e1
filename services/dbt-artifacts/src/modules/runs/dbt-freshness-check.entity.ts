import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One source's freshness in one `dbt source freshness` run. */
@Entity({ name: 'freshness_check' })
@Index('freshness_check_node_idx', ['projectId', 'uniqueId', 'snapshottedAt'])
export class DbtFreshnessCheckEntity {
  @PrimaryColumn({ type: 'uuid' })
  runId: string;

  @PrimaryColumn({ type: 'text' })
  uniqueId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  /** pass, warn, error or runtime error (Fusion's capitalised values lower-cased). */
  @Column({ type: 'text' })
  status: string;

  /** Null when the table is empty (dbt writes year 1). */
  @Column({ type: 'timestamptz', nullable: true })
  maxLoadedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  snapshottedAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  ageSeconds: number | null;

  @Column({ type: 'jsonb', nullable: true })
  criteria: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;
}
