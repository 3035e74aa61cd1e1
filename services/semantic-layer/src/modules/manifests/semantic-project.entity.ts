import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SemanticManifestDocument } from '@cartograph/semantic-layer';

/**
 * The last semantic manifest read from the artifact store for one dbt project: what DBT_CORE connections list
 * and what `Dataset.metrics` answers from. Replaced whole when the project's definitions change.
 */
@Entity({ name: 'dbt_semantic_project' })
export class SemanticProjectEntity {
  @PrimaryColumn({ type: 'text' })
  project: string;

  /** The artifact store's version of the definitions; an unchanged version is not re-read. */
  @Column({ type: 'text' })
  version: string;

  @Column({ type: 'jsonb' })
  document: SemanticManifestDocument;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  refreshedAt: Date;
}
