import {
  TEST_INTERNAL_SECRET,
  startServiceTestApp,
  testIdentities,
  type ServiceTestApp,
} from '@cartograph/platform/testing';
import { DbtCloudApiModule } from '../src/app.module.js';
import { serviceDefinition, type DbtCloudConfig } from '../src/dbt-cloud.definition.js';
import { DbtCloudWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = TEST_INTERNAL_SECRET;
export const { admin, editor, viewer } = testIdentities;

export type DbtCloudTestApp = ServiceTestApp<DbtCloudConfig>;

/** Boots the dbt-cloud API and worker in this process on a cloned database and a private Redis prefix. */
export function startDbtCloud(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<DbtCloudTestApp> {
  return startServiceTestApp<DbtCloudConfig>({
    project: 'dbt-cloud',
    definition: serviceDefinition,
    api: (config) => DbtCloudApiModule.forRoot(config, { schemaFile: false }),
    worker: (config) => DbtCloudWorkerModule.forRoot(config),
    overrides,
    startWorker: options.worker,
  });
}
