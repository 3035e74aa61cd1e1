import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'cloud_project' })
export class CloudProjectEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  /** The warehouse adapter (snowflake, bigquery, …): the platform of its dataset ids. */
  @Column({ type: 'text', nullable: true })
  adapterType: string | null;

  @Column({ type: 'text', nullable: true })
  docsJobId: string | null;

  @Column({ type: 'text', nullable: true })
  freshnessJobId: string | null;
}
