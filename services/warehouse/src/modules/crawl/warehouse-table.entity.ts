import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export interface StoredColumn {
  name: string;
  type: string;
  position: number;
  nullable: boolean | null;
  comment: string | null;
}

/** A table or view as the last crawl of its connection saw it. */
@Entity({ name: 'warehouse_table' })
@Index('warehouse_table_dataset_idx', ['datasetId'])
export class WarehouseTableEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  datasetId: string;

  @Column({ type: 'text' })
  database: string;

  @Column({ type: 'text' })
  schema: string;

  @Column({ type: 'text' })
  name: string;

  /** table, view, materialized_view, external, temporary or other. */
  @Column({ type: 'text' })
  kind: string;

  @Column({ type: 'text', nullable: true })
  comment: string | null;

  @Column({ type: 'jsonb' })
  columns: StoredColumn[];

  @Column({ type: 'bigint', nullable: true })
  rowCount: string | null;

  @Column({ type: 'bigint', nullable: true })
  bytes: string | null;

  @Column({ type: 'text', nullable: true })
  viewDefinition: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  createdInWarehouseAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  alteredAt: Date | null;

  /** sha256 of what a `dataset.upserted` event would say: unchanged tables are not announced again. */
  @Column({ type: 'text' })
  contentHash: string;

  @Column({ type: 'timestamptz' })
  crawledAt: Date;
}
