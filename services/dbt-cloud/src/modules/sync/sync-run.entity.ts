import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sync of a dbt Cloud connection; Postgres, not the queue, is the truth of what ran. */
@Entity({ name: 'sync_run' })
@Index('sync_run_connection_idx', ['connectionId', 'queuedAt'])
export class SyncRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  connectionId: string;

  /** queued, running, succeeded or failed. */
  @Column({ type: 'text', default: 'queued' })
  state: string;

  /** manual or schedule. */
  @Column({ type: 'text' })
  trigger: string;

  /** Per job: the newest run id seen when this sync ended. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  cursor: Record<string, string>;

  /** projects, environments, jobs, runs, newRuns, artifactSets, downloads, requests, models. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  /** Runs or artifacts that could not be ingested; the sync went on. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  problems: { subject: string; message: string }[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
