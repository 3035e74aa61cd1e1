import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'cloud_job' })
export class CloudJobEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  projectId: string;

  @Column({ type: 'text' })
  environmentId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean', default: false })
  generateDocs: boolean;

  @Column({ type: 'boolean', default: false })
  runGenerateSources: boolean;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  executeSteps: string[];

  @Column({ type: 'text', nullable: true })
  cron: string | null;

  /** 1 active, 2 deleted. */
  @Column({ type: 'integer', default: 1 })
  state: number;
}
