import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One dbt Cloud account reached with one service token. */
@Entity({ name: 'cloud_connection' })
export class CloudConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** dbt Cloud ids reach 7e13: kept as text, never as a JS number that could round. */
  @Column({ type: 'text' })
  accountId: string;

  /** The account's access URL (cell-based `ACCOUNT_PREFIX.us1.dbt.com`, a legacy host, or a single-tenant host). */
  @Column({ type: 'text' })
  accessUrl: string;

  /** Set when the Discovery API is not at the URL derived from the access URL. */
  @Column({ type: 'text', nullable: true })
  discoveryUrl: string | null;

  /** AES-256-GCM ciphertext of the service token; only `tokenHint` is ever returned. */
  @Column({ type: 'text' })
  tokenCiphertext: string;

  @Column({ type: 'text' })
  tokenHint: string;

  /** Filters: empty means all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  projectIds: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  environmentIds: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  jobIds: string[];

  /** The warehouse instance of dataset ids (the account / host the project's connection points at). */
  @Column({ type: 'text', nullable: true })
  instance: string | null;

  @Column({ type: 'jsonb' })
  schedule: Record<string, unknown>;

  /** The last error a sync or test met, in the user's terms; null after a good sync. */
  @Column({ type: 'jsonb', nullable: true })
  lastError: { code: string; message: string } | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastSyncAt: Date | null;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
