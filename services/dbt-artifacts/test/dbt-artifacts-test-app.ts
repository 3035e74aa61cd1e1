import { signIdentity } from '@cartograph/platform/auth';
import type { Identity } from '@cartograph/platform/auth';
import {
  TEST_INTERNAL_SECRET,
  eventually,
  startServiceTestApp,
  testIdentities,
  type ServiceTestApp,
} from '@cartograph/platform/testing';
import { DbtArtifactsApiModule } from '../src/app.module.js';
import { serviceDefinition, type DbtArtifactsConfig } from '../src/dbt-artifacts.definition.js';
import { DbtArtifactsWorkerModule } from '../src/worker.module.js';

export const INTERNAL_SECRET = TEST_INTERNAL_SECRET;
export const { admin, editor, viewer } = testIdentities;

export interface ArtifactFile {
  field: string;
  fileName: string;
  body: string | Buffer;
}

export interface DbtArtifactsTestApp extends ServiceTestApp<DbtArtifactsConfig> {
  upload(
    files: ArtifactFile[],
    fields?: Record<string, string>,
    identity?: Identity,
  ): Promise<{ status: number; body: any }>;
  /** Waits until the set is succeeded or failed. */
  settled(id: string, timeoutMs?: number): Promise<any>;
}

/** Boots the dbt-artifacts API and worker in this process on a cloned database and a private Redis prefix. */
export async function startDbtArtifacts(
  overrides: Record<string, string> = {},
  options: { worker?: boolean } = {},
): Promise<DbtArtifactsTestApp> {
  const app = await startServiceTestApp<DbtArtifactsConfig>({
    project: 'dbt-artifacts',
    definition: serviceDefinition,
    api: (config) => DbtArtifactsApiModule.forRoot(config, { schemaFile: false }),
    worker: (config) => DbtArtifactsWorkerModule.forRoot(config),
    overrides,
    startWorker: options.worker,
  });
  const { baseUrl } = app;
  return Object.assign(app, {
    async upload(files: ArtifactFile[], fields: Record<string, string> = {}, identity: Identity = editor) {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      for (const file of files) form.append(file.field, new Blob([file.body]), file.fileName);
      const response = await fetch(`${baseUrl}/api/v1/uploads`, {
        method: 'POST',
        headers: signIdentity(identity, INTERNAL_SECRET),
        body: form,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null };
    },
    async settled(id: string, timeoutMs = 20_000) {
      return eventually(async () => {
        const response = await fetch(`${baseUrl}/api/v1/artifact-sets/${id}`, {
          headers: signIdentity(admin, INTERNAL_SECRET),
        });
        const body = (await response.json()) as { artifactSet: { state: string } };
        return ['succeeded', 'failed'].includes(body.artifactSet.state) ? body.artifactSet : null;
      }, timeoutMs);
    },
  });
}
