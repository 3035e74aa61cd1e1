import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What one source last said about a dataset; the dataset row is derived from these. */
@Entity({ name: 'dataset_sighting' })
export class DatasetSightingEntity {
  @PrimaryColumn({ type: 'text' })
  datasetId: string;

  @PrimaryColumn({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Column names and descriptions this source documents, one per line; searched with the lowest weight. */
  @Column({ type: 'text', nullable: true })
  columnText: string | null;

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  removedAt: Date | null;
}
