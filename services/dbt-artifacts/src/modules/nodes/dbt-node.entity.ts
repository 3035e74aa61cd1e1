import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Every resource of a manifest — model, seed, snapshot, source, test, unit test, exposure, metric, semantic
 * model, saved query, analysis, group, doc — in one table, so lineage, search and filters work across types.
 * Type-specific fields live in `details`; `contentHash` lets an unchanged resource be skipped without a write.
 */
@Entity({ name: 'node' })
@Index('node_dataset_idx', ['datasetId'])
@Index('node_tested_idx', ['projectId', 'testedUniqueId'])
@Index('node_type_idx', ['projectId', 'resourceType', 'uniqueId'])
export class DbtNodeEntity {
  @PrimaryColumn({ type: 'uuid' })
  projectId: string;

  @PrimaryColumn({ type: 'text' })
  uniqueId: string;

  @Column({ type: 'text' })
  resourceType: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  packageName: string | null;

  /** DESIGN §3 id of the table or view it builds or reads; null for ephemeral models, tests and the rest. */
  @Column({ type: 'text', nullable: true })
  datasetId: string | null;

  @Column({ type: 'text', nullable: true })
  database: string | null;

  @Column({ type: 'text', nullable: true })
  schema: string | null;

  @Column({ type: 'text', nullable: true })
  identifier: string | null;

  @Column({ type: 'text', nullable: true })
  materialized: string | null;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Documented columns, as written in YAML: [{name, description, dataType, tags, meta, constraints}]. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  columns: unknown[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Column({ type: 'jsonb', default: () => "'{}'" })
  meta: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  owner: string | null;

  @Column({ type: 'text', nullable: true })
  rawCode: string | null;

  @Column({ type: 'text', nullable: true })
  compiledCode: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  dependsOn: string[];

  /** For tests: the model, seed, snapshot or source tested, and the column (null for model-level tests). */
  @Column({ type: 'text', nullable: true })
  testedUniqueId: string | null;

  @Column({ type: 'text', nullable: true })
  columnName: string | null;

  /** A public model of another project, carried into this manifest by dbt Mesh; owned by that project. */
  @Column({ type: 'boolean', default: false })
  isExternal: boolean;

  /** Everything else the artifact says of it, unknown fields included. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  details: Record<string, unknown>;

  /** The warehouse's view from catalog.json: type, owner, comment, stats, columns with types. */
  @Column({ type: 'jsonb', nullable: true })
  catalog: Record<string, unknown> | null;

  @Column({ type: 'text' })
  contentHash: string;

  @Column({ type: 'text', nullable: true })
  catalogHash: string | null;

  @Column({ type: 'timestamptz' })
  updatedAt: Date;
}
