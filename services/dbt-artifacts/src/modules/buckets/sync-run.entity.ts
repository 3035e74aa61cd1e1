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

  /** objects, folders, new, unchanged, failed, unsafeKeys, downloads, downloadedBytes, artifactSets. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  /** Per-folder or per-key problems that did not stop the sync. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  problems: { key: string; message: string }[];

  /** The artifact sets the folders it ingested became (new ones and ones already received). */
  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  artifactSetIds: string[];

  /**
   * The BullMQ job running it: a stalled job redelivered after a worker crash (same id) takes the run over,
   * a duplicate job (another id) leaves it alone.
   */
  @Column({ type: 'text', nullable: true })
  jobId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
