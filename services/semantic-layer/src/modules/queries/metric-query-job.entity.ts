import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A metric query submitted to run in the background: the request as asked, who asked with which role, and the
 * outcome. The rows themselves are kept in Redis for SEMANTIC_LAYER_JOB_RESULT_TTL_SECONDS.
 */
@Entity({ name: 'metric_query_job' })
@Index('metric_query_job_subject_idx', ['subject', 'createdAt'])
export class MetricQueryJobEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  connectionId: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text', nullable: true })
  actorName: string | null;

  @Column({ type: 'text' })
  role: string;

  /** The structured input, or null when the query came as pasted text. */
  @Column({ type: 'jsonb', nullable: true })
  input: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  text: string | null;

  /** QUEUED, RUNNING, SUCCEEDED, FAILED, FORBIDDEN, TIMED_OUT. */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'integer', nullable: true })
  rowCount: number | null;

  @Column({ type: 'text', nullable: true })
  sql: string | null;

  @Column({ type: 'text', nullable: true })
  upstreamQueryId: string | null;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
