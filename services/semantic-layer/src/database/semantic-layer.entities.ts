import { SemanticLayerConnectionEntity } from '../modules/connections/semantic-layer-connection.entity.js';
import { SemanticModelDatasetEntity } from '../modules/manifests/semantic-model-dataset.entity.js';
import { SemanticProjectEntity } from '../modules/manifests/semantic-project.entity.js';
import { MetricQueryJobEntity } from '../modules/queries/metric-query-job.entity.js';
import { QueryAuditEntity } from '../modules/queries/query-audit.entity.js';
import { RolePolicyEntity } from '../modules/queries/role-policy.entity.js';

export const semanticLayerEntities = [
  SemanticLayerConnectionEntity,
  RolePolicyEntity,
  QueryAuditEntity,
  SemanticProjectEntity,
  SemanticModelDatasetEntity,
  MetricQueryJobEntity,
];
