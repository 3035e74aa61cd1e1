import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** One dbt Semantic Layer environment reached with one token. */
@Entity({ name: 'connection' })
export class SemanticLayerConnectionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text', unique: true })
  name: string;

  /** DBT_CLOUD (the Semantic Layer GraphQL API) or DBT_CORE (artifacts only). */
  @Column({ type: 'text' })
  mode: string;

  /** Base URL of the Semantic Layer host, without `/api/graphql`. */
  @Column({ type: 'text' })
  host: string;

  /** The deployment environment id, as a digit string (a BigInt upstream); null for DBT_CORE. */
  @Column({ type: 'text', nullable: true })
  environmentId: string | null;

  /** AES-256-GCM ciphertext of the service token; only `tokenHint` is ever returned. Null for DBT_CORE. */
  @Column({ type: 'text', nullable: true })
  tokenCiphertext: string | null;

  @Column({ type: 'text', nullable: true })
  tokenHint: string | null;

  /** For DBT_CORE: the dbt project name in the artifact store. */
  @Column({ type: 'text', nullable: true })
  dbtProject: string | null;

  /** The last error a test or query met that concerns the connection itself; null after a good test. */
  @Column({ type: 'jsonb', nullable: true })
  lastError: { code: string; message: string; at: string } | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastTestedAt: Date | null;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
