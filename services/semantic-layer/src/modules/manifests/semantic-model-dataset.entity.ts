import { Entity, Index, PrimaryColumn } from 'typeorm';

/** Which semantic models are built on a table: the index behind `Dataset.semanticModels` and `Dataset.metrics`. */
@Entity({ name: 'semantic_model_dataset' })
@Index('semantic_model_dataset_project_idx', ['project'])
export class SemanticModelDatasetEntity {
  @PrimaryColumn({ type: 'text' })
  datasetId: string;

  @PrimaryColumn({ type: 'text' })
  project: string;

  @PrimaryColumn({ type: 'text' })
  semanticModel: string;
}
