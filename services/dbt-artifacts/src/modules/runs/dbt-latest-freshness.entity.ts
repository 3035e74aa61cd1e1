import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The newest freshness check per source, for `freshness` and to detect a change of status. */
@Entity({ name: 'latest_freshness' })
export class DbtLatestFreshnessEntity {
  @PrimaryColumn({ type: 'uuid' })
  projectId: string;

  @PrimaryColumn({ type: 'text' })
  uniqueId: string;

  @Column({ type: 'uuid' })
  runId: string;

  @Column({ type: 'timestamptz' })
  generatedAt: Date;

  @Column({ type: 'text' })
  status: string;

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
