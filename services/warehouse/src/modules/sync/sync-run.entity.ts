import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One sync of a warehouse connection; Postgres, not the queue, is the truth of what ran. */
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

  /** Where history reading stood: `{ watermark }` after each applied batch. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  cursor: Record<string, string>;

  /** tables, columns, datasetsUpserted, datasetsRemoved, historyRows, queries, parsed, parseErrors, edgesAdded, edgesRemoved… */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  /** Statements and tables that could not be read, with the reason; the sync went on (at most 100 kept). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  problems: { subject: string; message: string }[];

  @Column({ type: 'timestamptz', default: () => 'now()' })
  queuedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
