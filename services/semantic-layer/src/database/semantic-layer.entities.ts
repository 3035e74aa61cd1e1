import { SemanticLayerConnectionEntity } from '../modules/connections/semantic-layer-connection.entity.js';
import { QueryAuditEntity } from '../modules/queries/query-audit.entity.js';
import { RolePolicyEntity } from '../modules/queries/role-policy.entity.js';

export const semanticLayerEntities = [SemanticLayerConnectionEntity, RolePolicyEntity, QueryAuditEntity];
