import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** An S3, GCS (S3-compatible) or Azure Blob location that dbt jobs write `target/` folders into. */
@Entity({ name: 'bucket_connection' })
export class BucketConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** s3, gcs or azure. */
  @Column({ type: 'text' })
  provider: string;

  /** Bucket, or Azure container. */
  @Column({ type: 'text' })
  bucket: string;

  @Column({ type: 'text', default: '' })
  prefix: string;

  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Column({ type: 'text', nullable: true })
  endpoint: string | null;

  @Column({ type: 'boolean', default: false })
  forcePathStyle: boolean;

  /** AES-256-GCM ciphertext of the credentials JSON; never returned, only `credentialsHint`. */
  @Column({ type: 'text' })
  credentialsCiphertext: string;

  @Column({ type: 'text' })
  credentialsHint: string;

  /** Project name and instance for the sets it finds, when the artifacts do not say. */
  @Column({ type: 'text', nullable: true })
  project: string | null;

  @Column({ type: 'text', nullable: true })
  instance: string | null;

  /** {kind: manual|hourly|daily|weekly|cron, cron?, startDate?, endDate?}, UTC. */
  @Column({ type: 'jsonb' })
  schedule: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
