import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One sync of a connection (dbt Cloud, warehouse, …), in the schema of the service that syncs it; Postgres, not
 * the queue, is the truth of what ran.
 */
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

  /** Where the sync stood when it ended, e.g. dbt Cloud: the newest run id; warehouse: the history watermark. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  cursor: Record<string, string>;

  /** What the sync found and changed; the names are the service's own (see its README). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  /** What could not be read, with the reason; the sync went on. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  problems: { subject: string; message: string }[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
