import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One dbt invocation's results: a run_results.json (`kind` = run_results, `which` = build, run, test,
 * generate, …) or a sources.json (`kind` = sources). History accumulates; a run is stored once per
 * (project, invocation, kind).
 */
@Entity({ name: 'run' })
@Index('run_invocation_idx', ['projectId', 'invocationKey', 'kind'], { unique: true })
@Index('run_project_time_idx', ['projectId', 'generatedAt'])
export class DbtRunEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  projectId: string;

  @Column({ type: 'uuid' })
  artifactSetId: string;

  /** run_results or sources. */
  @Column({ type: 'text' })
  kind: string;

  /** `metadata.invocation_id`, or the file's sha256 when an old artifact has none. */
  @Column({ type: 'text' })
  invocationKey: string;

  @Column({ type: 'text', nullable: true })
  which: string | null;

  @Column({ type: 'text', nullable: true })
  invocationCommand: string | null;

  @Column({ type: 'text', nullable: true })
  dbtVersion: string | null;

  @Column({ type: 'timestamptz' })
  generatedAt: Date;

  @Column({ type: 'double precision', nullable: true })
  elapsedTime: number | null;

  @Column({ type: 'text', nullable: true })
  dbtCloudRunId: string | null;

  @Column({ type: 'text', nullable: true })
  dbtCloudJobId: string | null;

  /** Results per status. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  counts: Record<string, number>;

  /** Whether its outcomes count: a `docs generate` (or `compile`) run reports every node as success. */
  @Column({ type: 'boolean' })
  countsAsOutcome: boolean;
}
