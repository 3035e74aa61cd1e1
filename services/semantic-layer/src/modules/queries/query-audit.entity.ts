import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One metric query or SQL compilation asked of the proxy, whatever became of it. */
@Entity({ name: 'query_audit' })
@Index('query_audit_created_idx', ['createdAt', 'id'])
export class QueryAuditEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  connectionId: string;

  /** The identity's subject (API key id, OIDC subject). */
  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'text', nullable: true })
  actorName: string | null;

  @Column({ type: 'text' })
  role: string;

  /** query or compile. */
  @Column({ type: 'text' })
  kind: string;

  /** The request as asked (before the role's row filters), or the pasted text when it did not parse. */
  @Column({ type: 'jsonb' })
  request: unknown;

  /** succeeded, cached, failed, forbidden, invalid or timed_out. */
  @Column({ type: 'text' })
  status: string;

  @Column({ type: 'text', nullable: true })
  upstreamQueryId: string | null;

  @Column({ type: 'int', nullable: true })
  rowCount: number | null;

  @Column({ type: 'int' })
  durationMs: number;

  @Column({ type: 'jsonb', nullable: true })
  error: { code: string; message: string } | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
