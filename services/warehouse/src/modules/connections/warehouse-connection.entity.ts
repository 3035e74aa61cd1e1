import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One warehouse reached with one set of credentials. */
@Entity({ name: 'connection' })
export class WarehouseConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** snowflake, bigquery, databricks, redshift, postgres, mysql, mariadb, clickhouse or athena. */
  @Column({ type: 'text' })
  platform: string;

  /** The instance in dataset ids (DESIGN §3): derived from the settings unless the user set one. */
  @Column({ type: 'text' })
  instance: string;

  /** Non-secret settings, validated by the platform's connector schema (host, account, region…). */
  @Column({ type: 'jsonb' })
  settings: Record<string, unknown>;

  /** AES-256-GCM ciphertext of the credentials object (JSON); only `credentialHints` is ever returned. */
  @Column({ type: 'text' })
  credentialsCiphertext: string;

  /** Per credential field, the end of its value (`…9f3a`). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  credentialHints: Record<string, string>;

  /** Regular expressions over database and `database.schema` names; empty include means everything. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  includeDatabases: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  excludeDatabases: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  includeSchemas: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  excludeSchemas: string[];

  @Column({ type: 'boolean', default: true })
  crawlEnabled: boolean;

  @Column({ type: 'boolean', default: true })
  historyEnabled: boolean;

  /** How far back the first history read goes. */
  @Column({ type: 'int', default: 168 })
  historyLookbackHours: number;

  /** Each read starts this far before the watermark, for rows the warehouse records late. */
  @Column({ type: 'int', default: 60 })
  historyOverlapMinutes: number;

  /** The start time of the newest history row applied; the next read continues from here. */
  @Column({ type: 'timestamptz', nullable: true })
  historyWatermark: Date | null;

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
