import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** Where a Hex data connection's tables live, so its queries name datasets (DESIGN §3). */
export interface HexDataConnectionMapping {
  platform: string;
  instance: string | null;
  defaultDatabase: string | null;
  defaultSchema: string | null;
}

/** One Hex workspace reached with one token (personal `hxtp_` or workspace `hxtw_`). */
@Entity({ name: 'hex_connection' })
export class HexConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** `https://app.hex.tech` or a single-tenant host; the API is `<host>/api/v1`. */
  @Column({ type: 'text' })
  host: string;

  /** The workspace's name in app URLs (`https://app.hex.tech/<slug>/app/<id>`). */
  @Column({ type: 'text' })
  workspaceSlug: string;

  /** AES-256-GCM ciphertext of the token; only `tokenHint` is ever returned. */
  @Column({ type: 'text' })
  tokenCiphertext: string;

  @Column({ type: 'text' })
  tokenHint: string;

  /** personal, workspace or unknown, from the token's prefix. */
  @Column({ type: 'text' })
  tokenType: string;

  /** Hex data connection id → warehouse identity. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  dataConnections: Record<string, HexDataConnectionMapping>;

  /** Regular expressions on the title and the collection path; empty include means all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  includePatterns: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  excludePatterns: string[];

  /** Category names a project must have one of; empty means all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: string[];

  /** Status names a project must have; empty means all. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  statuses: string[];

  @Column({ type: 'boolean', default: true })
  includeComponents: boolean;

  @Column({ type: 'boolean', default: false })
  includeArchived: boolean;

  @Column({ type: 'boolean', default: false })
  includeTrashed: boolean;

  /** Projects never published. */
  @Column({ type: 'boolean', default: true })
  includeDrafts: boolean;

  @Column({ type: 'boolean', default: true })
  categoriesAsTags: boolean;

  @Column({ type: 'boolean', default: true })
  statusesAsTags: boolean;

  @Column({ type: 'boolean', default: true })
  collectionsAsTags: boolean;

  @Column({ type: 'boolean', default: true })
  includeOwners: boolean;

  /** Projects missing from a full listing become soft-deleted. */
  @Column({ type: 'boolean', default: true })
  markDeleted: boolean;

  /** A sync lists everything (and detects deletions) when the last full one is older than this; 0: always. */
  @Column({ type: 'integer', default: 24 })
  fullSyncIntervalHours: number;

  /** The newest `lastEditedAt` a finished sync saw: incremental listings stop below it. */
  @Column({ type: 'timestamptz', nullable: true })
  editedCheckpoint: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastFullSyncAt: Date | null;

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
