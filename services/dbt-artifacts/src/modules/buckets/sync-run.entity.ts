import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sync of a bucket connection; Postgres, not the queue, is the truth of what ran and what failed. */
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

  /** folders, new, unchanged, failed, downloadedBytes. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  /** Per-folder or per-key problems that did not stop the sync. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  problems: { key: string; message: string }[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
