import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export interface ArtifactSetFile {
  kind: string;
  fileName: string;
  sha256: string;
  size: number;
}

export interface ArtifactSetError {
  code: string;
  message: string;
  fileName?: string | null;
  path?: string | null;
}

/**
 * One dbt invocation's artifacts (any of manifest, catalog, run_results, sources, semantic_manifest),
 * ingested together in one transaction. `fingerprint` makes an identical re-upload a no-op.
 */
@Entity({ name: 'artifact_set' })
@Index('artifact_set_project_idx', ['projectId', 'createdAt'])
export class ArtifactSetEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** sha256 over the sorted `kind:sha256` of its files, plus the project and instance asked for. */
  @Index('artifact_set_fingerprint_idx', { unique: true })
  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'uuid', nullable: true })
  projectId: string | null;

  /** queued, processing, succeeded or failed. */
  @Column({ type: 'text', default: 'queued' })
  state: string;

  /** upload, graphql, bucket or dbt-cloud. */
  @Column({ type: 'text' })
  origin: string;

  /** The bucket connection id, or dbt Cloud run, it came from. */
  @Column({ type: 'text', nullable: true })
  originReference: string | null;

  /** The project name asked for by the uploader, when the artifacts cannot say it themselves. */
  @Column({ type: 'text', nullable: true })
  requestedProject: string | null;

  @Column({ type: 'text', nullable: true })
  requestedInstance: string | null;

  @Column({ type: 'jsonb' })
  files: ArtifactSetFile[];

  @Column({ type: 'text', nullable: true })
  invocationId: string | null;

  @Column({ type: 'text', nullable: true })
  dbtVersion: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  generatedAt: Date | null;

  /** dbt Cloud ids from `metadata.env` (DBT_CLOUD_RUN_ID, DBT_CLOUD_JOB_ID, DBT_CLOUD_PROJECT_ID). */
  @Column({ type: 'jsonb', nullable: true })
  dbtCloud: Record<string, string> | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  warnings: string[];

  @Column({ type: 'jsonb', nullable: true })
  error: ArtifactSetError | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  /** Rows inserted, updated or deleted when it was applied. */
  @Column({ type: 'integer', default: 0 })
  rowWrites: number;

  @Column({ type: 'integer', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;
}
