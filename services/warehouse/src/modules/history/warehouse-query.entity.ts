import { Column, Entity, PrimaryColumn } from 'typeorm';

export interface StoredAttribution {
  tool: string;
  projectId: string | null;
  projectName: string | null;
  detail: Record<string, string>;
}

/**
 * One query shape of a connection: the executions whose text has one fingerprint (literals stripped) and one
 * attribution. It is parsed once; its lineage, counts and users are kept here.
 */
@Entity({ name: 'warehouse_query' })
export class WarehouseQueryEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  /** sha256 of fingerprint + attribution key, hex. */
  @PrimaryColumn({ type: 'text' })
  queryKey: string;

  @Column({ type: 'text' })
  fingerprint: string;

  /** The first text seen, cut at WAREHOUSE_QUERY_TEXT_MAX_BYTES. */
  @Column({ type: 'text' })
  sampleText: string;

  @Column({ type: 'boolean', default: false })
  sampleTruncated: boolean;

  /** select, insert, create_table_as_select, merge, … (sql-lineage's StatementType), or the engine's. */
  @Column({ type: 'text' })
  statementType: string;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  sources: string[];

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  targets: string[];

  /** Column lineage: [{ target: {dataset, column}, sources: [{dataset, column}] }]. */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  columns: unknown[];

  @Column({ type: 'jsonb', nullable: true })
  attribution: StoredAttribution | null;

  /** Where the tables came from: `engine` (the warehouse said), `parser`, or `none`. */
  @Column({ type: 'text' })
  lineageOrigin: string;

  /** Set when the statement could not be read: parse_error, too_large, truncated, unsupported, invalid_name. */
  @Column({ type: 'text', nullable: true })
  errorReason: string | null;

  @Column({ type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ type: 'bigint', default: 0 })
  executions: string;

  /** Distinct users, at most 50. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  users: string[];

  @Column({ type: 'timestamptz' })
  firstSeenAt: Date;

  @Column({ type: 'timestamptz' })
  lastSeenAt: Date;

  @Column({ type: 'bigint', nullable: true })
  totalDurationMs: string | null;
}
