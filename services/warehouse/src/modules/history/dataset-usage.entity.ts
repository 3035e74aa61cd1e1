import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Executions reading or writing a dataset, per UTC day and user: `Dataset.usage`. */
@Entity({ name: 'dataset_usage' })
export class DatasetUsageEntity {
  @PrimaryColumn({ type: 'text' })
  datasetId: string;

  @PrimaryColumn({ type: 'date' })
  day: string;

  /** The warehouse user, or the BI user a query comment names (Hex `user_email`); '' when unknown. */
  @PrimaryColumn({ type: 'text' })
  user: string;

  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @Column({ type: 'bigint', default: 0 })
  reads: string;

  @Column({ type: 'bigint', default: 0 })
  writes: string;
}
