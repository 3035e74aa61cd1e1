import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Which datasets a query shape reads and writes: the index behind `Dataset.queries` and `consumers`. */
@Entity({ name: 'query_dataset' })
@Index('query_dataset_dataset_idx', ['datasetId', 'lastSeenAt'])
export class QueryDatasetEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  queryKey: string;

  @PrimaryColumn({ type: 'text' })
  datasetId: string;

  /** source or target. */
  @PrimaryColumn({ type: 'text' })
  role: string;

  /** Copied from the query so a dataset's queries sort without a join. */
  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;
}
