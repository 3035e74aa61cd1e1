import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A Hex project or component as the last sync of one connection saw it; removed ones are kept, soft-deleted. */
@Entity({ name: 'hex_project' })
@Index('hex_project_id_idx', ['id'])
@Index('hex_project_listing_idx', ['connectionId', 'title', 'id'])
export class HexProjectEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  /** Hex's project id (the UUID query comments carry). */
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** PROJECT or COMPONENT. */
  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text', nullable: true })
  status: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  collections: string[];

  /** hex:category:<name>, hex:status:<name>, hex:collection:<name>, as the connection imports them. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'text', nullable: true })
  creatorEmail: string | null;

  /** The owner Hex names (may differ from the creator). */
  @Column({ type: 'text', nullable: true })
  hexOwnerEmail: string | null;

  /** The catalog's owner: a known Hex user matched by email, or one set by hand. */
  @Column({ type: 'text', nullable: true })
  ownerEmail: string | null;

  @Column({ type: 'text', nullable: true })
  ownerName: string | null;

  /** hex (matched by the sync) or manual (set with setHexProjectOwner; the sync never overwrites it). */
  @Column({ type: 'text', nullable: true })
  ownerSource: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  hexCreatedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastEditedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastPublishedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  archivedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  trashedAt: Date | null;

  @Column({ type: 'integer', default: 0 })
  appViewsAllTime: number;

  @Column({ type: 'integer', default: 0 })
  appViewsLast7Days: number;

  @Column({ type: 'integer', default: 0 })
  appViewsLast14Days: number;

  @Column({ type: 'integer', default: 0 })
  appViewsLast30Days: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastViewedAt: Date | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  schedules: { cadence: string; enabled: boolean; settings: Record<string, unknown> | null }[];

  @Column({ type: 'text' })
  url: string;

  /** sha256 of what the sync stores, so an unchanged project is not rewritten or announced. */
  @Column({ type: 'text' })
  contentHash: string;

  /** The full sync that last listed it; a full sync removes those it did not list. */
  @Column({ type: 'uuid', nullable: true })
  listedBySyncRunId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  syncedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
