import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Which datasets a query shape reads and writes: the index behind `Dataset.queries` and `consumers`. Written once,
 * when the shape is first seen (a shape's tables never change), so repeats of a shape touch only its counters.
 */
@Entity({ name: 'query_dataset' })
@Index('query_dataset_dataset_idx', ['datasetId'])
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
}
