import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface SemanticNodeRow {
  unique_id: string;
  resource_type: 'semantic_model' | 'metric' | 'saved_query';
  name: string;
  description: string | null;
  depends_on: string[];
  meta: Record<string, unknown>;
  details: Record<string, unknown>;
  content_hash: string;
}

@Injectable()
export class SemanticManifestRepository {
  constructor(private readonly dataSource: DataSource) {}

  semanticNodes(projectId: string): Promise<SemanticNodeRow[]> {
    return this.dataSource.query(
      `SELECT "unique_id", "resource_type", "name", "description", "depends_on", "meta", "details", "content_hash"
         FROM "dbt_artifacts"."node"
        WHERE "project_id" = $1 AND "resource_type" IN ('semantic_model', 'metric', 'saved_query')
        ORDER BY "resource_type", "name"`,
      [projectId],
    );
  }

  /** Models by unique id and by name (the latest version wins a name), with the table they build. */
  models(projectId: string): Promise<{ unique_id: string; name: string; dataset_id: string | null }[]> {
    return this.dataSource.query(
      `SELECT "unique_id", "name", "dataset_id" FROM "dbt_artifacts"."node"
        WHERE "project_id" = $1 AND "resource_type" IN ('model', 'seed', 'snapshot')
        ORDER BY "unique_id"`,
      [projectId],
    );
  }
}
