import {
  TEST_INTERNAL_SECRET,
  startServiceTestApp,
  testIdentities,
  type ServiceTestApp,
} from '@cartograph/platform/testing';
import { SemanticLayerApiModule } from '../src/app.module.js';
import { serviceDefinition, type SemanticLayerConfig } from '../src/semantic-layer.definition.js';
import { SemanticLayerWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = TEST_INTERNAL_SECRET;
export const { admin, editor, viewer } = testIdentities;

export type SemanticLayerTestApp = ServiceTestApp<SemanticLayerConfig>;

/** Boots the semantic-layer API (and worker) in this process on a cloned database and a private Redis prefix. */
export async function startSemanticLayer(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<SemanticLayerTestApp> {
  return startServiceTestApp<SemanticLayerConfig>({
    project: 'semantic-layer',
    definition: serviceDefinition,
    api: (config) => SemanticLayerApiModule.forRoot(config, { schemaFile: false }),
    worker: (config) => SemanticLayerWorkerModule.forRoot(config),
    overrides,
    startWorker: options.worker,
  });
}
