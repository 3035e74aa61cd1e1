import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * What search knows of a Hex project: the catalog keeps it from `hex.project.upserted|removed` events (it never
 * reads the hex service's tables) and the gateway resolves the rest of the project from the hex subgraph.
 */
@Entity({ name: 'hex_project_document' })
// The full-text index is created by the migration; TypeORM must not try to manage it.
@Index('hex_project_document_search_idx', { synchronize: false })
export class HexProjectDocumentEntity {
  /** Hex's project id. */
  @PrimaryColumn({ type: 'text' })
  id: string;

  /** The Hex connections that list it; it leaves search when the last one removes it. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  connectionIds: string[];

  @Column({ type: 'text' })
  title: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'timestamptz' })
  updatedAt: Date;

  /** Maintained by a trigger from title, tags and description (see the migration). */
  @Column({ type: 'tsvector', nullable: true, select: false, insert: false, update: false })
  searchDocument: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
