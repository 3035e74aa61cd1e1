import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One physical table or view, keyed by its DESIGN §3 id; the union of what every source said about it. */
@Entity({ name: 'dataset' })
// Expression indexes for search, created by the migration; TypeORM must not try to manage them.
@Index('dataset_search_idx', { synchronize: false })
@Index('dataset_trigram_idx', { synchronize: false })
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

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sources: string[];

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  /** Set when no source sees it any more; kept so ids stay resolvable in history. */
  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
