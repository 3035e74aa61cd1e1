import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A model's applied state in one environment, from the Discovery API: which job and run built it last. */
@Entity({ name: 'cloud_model' })
@Index('cloud_model_dataset_idx', ['datasetId'])
export class CloudModelEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  environmentId: string;

  @PrimaryColumn({ type: 'text' })
  uniqueId: string;

  @Column({ type: 'text' })
  projectId: string;

  @Column({ type: 'text', nullable: true })
  datasetId: string | null;

  @Column({ type: 'text', nullable: true })
  lastRunStatus: string | null;

  @Column({ type: 'text', nullable: true })
  lastRunId: string | null;

  @Column({ type: 'text', nullable: true })
  lastJobId: string | null;

  @Column({ type: 'text', nullable: true })
  lastSuccessRunId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  executeCompletedAt: Date | null;

  @Column({ type: 'double precision', nullable: true })
  runElapsedTime: number | null;
}
