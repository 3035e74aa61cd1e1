import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** What one catalog role may query through the Semantic Layer; a role without a row may use everything. */
@Entity({ name: 'role_policy' })
export class RolePolicyEntity {
  /** viewer, editor or admin. */
  @PrimaryColumn({ type: 'text' })
  role: string;

  /** Metric names or globs; null allows every metric. */
  @Column({ type: 'text', array: true, nullable: true })
  allowedMetrics: string[] | null;

  /** Dimension and entity names or globs; null allows all. */
  @Column({ type: 'text', array: true, nullable: true })
  allowedDimensions: string[] | null;

  /** Saved query names or globs; null allows every saved query. */
  @Column({ type: 'text', array: true, nullable: true })
  allowedSavedQueries: string[] | null;

  /** Where filters ANDed to every query of the role. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  rowFilters: string[];

  @Column({ type: 'text', nullable: true })
  updatedBy: string | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
