import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A dbt project as its artifacts name it (`metadata.project_name`, or the root package before dbt 1.6). */
@Entity({ name: 'project' })
export class DbtProjectEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** md5 of the project name, as dbt writes it into `metadata.project_id`. */
  @Column({ type: 'text', nullable: true })
  dbtProjectId: string | null;

  @Column({ type: 'text', nullable: true })
  adapterType: string | null;

  /** The warehouse instance that goes into dataset ids (DESIGN §3); `default` until someone says. */
  @Column({ type: 'text', default: 'default' })
  instance: string;

  @Column({ type: 'text', nullable: true })
  dbtVersion: string | null;

  /** What the last applied manifest and catalog were, so an unchanged file is not read again. */
  @Column({ type: 'text', nullable: true })
  manifestSha256: string | null;

  @Column({ type: 'text', nullable: true })
  catalogSha256: string | null;

  /** Hash of the dataset-to-dataset edges last announced, so unchanged lineage is not re-announced. */
  @Column({ type: 'text', nullable: true })
  lineageHash: string | null;

  @Column({ type: 'uuid', nullable: true })
  lastArtifactSetId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  manifestGeneratedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
