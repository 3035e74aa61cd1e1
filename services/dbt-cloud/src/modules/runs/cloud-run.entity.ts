import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'cloud_run' })
@Index('cloud_run_job_idx', ['connectionId', 'jobId', 'finishedAt'])
export class CloudRunEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  jobId: string;

  @Column({ type: 'text' })
  projectId: string;

  @Column({ type: 'text' })
  environmentId: string;

  /** queued, starting, running, success, error or cancelled. */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text', nullable: true })
  statusMessage: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  createdAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  durationSeconds: number | null;

  @Column({ type: 'text', nullable: true })
  url: string | null;

  @Column({ type: 'text', nullable: true })
  gitSha: string | null;

  @Column({ type: 'text', nullable: true })
  gitBranch: string | null;

  @Column({ type: 'text', nullable: true })
  triggerCause: string | null;

  @Column({ type: 'boolean', default: false })
  hasDocsGenerated: boolean;

  @Column({ type: 'boolean', default: false })
  hasSourcesGenerated: boolean;

  /** Artifact sets handed to the artifact store for this run (one per dbt step with artifacts). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  artifactSetIds: string[];

  @Column({ type: 'timestamptz', nullable: true })
  ingestedAt: Date | null;
}
