import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One physical table or view, keyed by its DESIGN §3 id; the union of what every source said about it. */
@Entity({ name: 'dataset' })
// Search indexes, created by the migrations; TypeORM must not try to manage them.
@Index('dataset_search_document_idx', { synchronize: false })
@Index('dataset_lower_name_idx', { synchronize: false })
export class DatasetEntity {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  platform: string;

  @Column({ type: 'text' })
  instance: string;

  @Column({ type: 'text', nullable: true })
  database: string | null;

  @Column({ type: 'text', nullable: true })
  schema: string | null;

  @Index('dataset_name_idx')
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', nullable: true })
  descriptionSource: string | null;

  /** Column names and descriptions from every source, for search (weight D). */
  @Column({ type: 'text', nullable: true })
  columnText: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sources: string[];

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  /** Maintained by a trigger from name, schema, database, platform and description (see the migrations). */
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  searchDocument: string | null;

  /** Set when no source sees it any more; kept so ids stay resolvable in history. */
  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
