import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The newest outcome per node from runs that count (not `docs generate`), kept beside the history so
 * "latest result" is one indexed read and a status change is detected in the same transaction.
 */
@Entity({ name: 'latest_result' })
export class DbtLatestResultEntity {
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
}
