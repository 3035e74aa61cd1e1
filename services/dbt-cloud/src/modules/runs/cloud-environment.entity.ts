import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'cloud_environment' })
export class CloudEnvironmentEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  projectId: string;

  @Column({ type: 'text' })
  name: string;

  /** development or deployment. */
  @Column({ type: 'text', nullable: true })
  type: string | null;

  /** production, staging or null. */
  @Column({ type: 'text', nullable: true })
  deploymentType: string | null;
}
