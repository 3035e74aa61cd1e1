import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One node's outcome in one run: the history behind `runHistory` and `lastRun`. */
@Entity({ name: 'run_result' })
@Index('run_result_node_idx', ['projectId', 'uniqueId', 'completedAt'])
export class DbtRunResultEntity {
  @PrimaryColumn({ type: 'uuid' })
  runId: string;

  @PrimaryColumn({ type: 'text' })
  uniqueId: string;

  @Column({ type: 'uuid' })
  projectId: string;

  /** Lower-cased, open: success, error, skipped, pass, fail, warn, no-op, reused, partial success, … */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  executionTime: number | null;

  @Column({ type: 'bigint', nullable: true })
  rowsAffected: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ type: 'bigint', nullable: true })
  failures: string | null;

  @Column({ type: 'jsonb', nullable: true })
  adapterResponse: Record<string, unknown> | null;
}
