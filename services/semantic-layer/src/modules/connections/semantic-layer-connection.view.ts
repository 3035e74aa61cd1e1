import type { SemanticLayerConnectionEntity } from './semantic-layer-connection.entity.js';
import type { SemanticLayerConnection, SemanticLayerMode } from './semantic-layer-connection.model.js';

export function toSemanticLayerConnectionView(
  entity: SemanticLayerConnectionEntity,
): SemanticLayerConnection {
  return {
    id: entity.id,
    name: entity.name,
    mode: entity.mode as SemanticLayerMode,
    host: entity.host,
    environmentId: entity.environmentId,
    tokenHint: entity.tokenHint,
    dbtProject: entity.dbtProject,
    lastError: entity.lastError
      ? { code: entity.lastError.code, message: entity.lastError.message, at: new Date(entity.lastError.at) }
      : null,
    lastTestedAt: entity.lastTestedAt,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}
