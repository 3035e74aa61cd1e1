import {
  TEST_INTERNAL_SECRET,
  startServiceTestApp,
  testIdentities,
  type ServiceTestApp,
} from '@cartograph/platform/testing';
import { HexApiModule } from '../src/app.module.js';
import { serviceDefinition, type HexConfig } from '../src/hex.definition.js';
import { HexWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = TEST_INTERNAL_SECRET;
export const { admin, editor, viewer } = testIdentities;

export type HexTestApp = ServiceTestApp<HexConfig>;

/** Boots the hex API and worker in this process on a cloned database and a private Redis prefix. */
export function startHex(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<HexTestApp> {
  return startServiceTestApp<HexConfig>({
    project: 'hex',
    definition: serviceDefinition,
    api: (config) => HexApiModule.forRoot(config, { schemaFile: false }),
    worker: (config) => HexWorkerModule.forRoot(config),
    overrides,
    startWorker: options.worker,
  });
}
