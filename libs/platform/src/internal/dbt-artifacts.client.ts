import { openAsBlob } from 'node:fs';
import type { SemanticManifestDocument } from '@cartograph/semantic-layer';
import { signIdentity, type Identity } from '../auth/identity.js';

// How other services hand dbt artifacts to the dbt-artifacts service: its upload API, called directly (not
// through the gateway) with a signed service identity. Services never import each other's code.

export interface ArtifactFileToSend {
  /** manifest, catalog, run_results, sources or semantic_manifest. */
  kind: string;
  fileName: string;
  /** A local file with the artifact's JSON (plain or gzip). */
  path: string;
}

export interface ArtifactSetReceipt {
  id: string;
  state: string;
  unchanged: boolean;
}

export interface DbtArtifactsClient {
  /** The project's semantic models, metrics and saved queries; null when the artifact store has no such project. */
  semanticManifest(project: string): Promise<SemanticManifestDocument | null>;

  /** Sends one artifact set; `origin`/`originReference` say where it came from (e.g. a dbt Cloud run). */
  upload(
    files: ArtifactFileToSend[],
    options: { project?: string | null; instance?: string | null; origin: string; originReference: string },
  ): Promise<ArtifactSetReceipt>;
}

export class DbtArtifactsClientError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'DbtArtifactsClientError';
  }
}

export function createDbtArtifactsClient(options: {
  baseUrl: string;
  internalSecret: string;
  /** Who is calling, e.g. `dbt-cloud`. */
  service: string;
  timeoutMs?: number;
}): DbtArtifactsClient {
  const identity: Identity = {
    subject: `service:${options.service}`,
    kind: 'service',
    role: 'editor',
    name: options.service,
  };
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    async semanticManifest(project) {
      let response: Response;
      const url = `${base}/internal/projects/${encodeURIComponent(project)}/semantic-manifest`;
      try {
        response = await fetch(url, {
          headers: signIdentity(identity, options.internalSecret),
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
        });
      } catch (error) {
        throw new DbtArtifactsClientError(
          `the dbt-artifacts service at ${base} is unreachable: ${(error as Error).message}`,
          null,
        );
      }
      if (response.status === 404) return null;
      const text = await response.text();
      if (!response.ok) {
        throw new DbtArtifactsClientError(
          `dbt-artifacts answered ${response.status} for the semantic manifest of "${project}": ${text.slice(0, 300)}`,
          response.status,
        );
      }
      return JSON.parse(text) as SemanticManifestDocument;
    },
    async upload(files, upload) {
      const form = new FormData();
      for (const [name, value] of Object.entries({
        project: upload.project,
        instance: upload.instance,
        origin: upload.origin,
        originReference: upload.originReference,
      })) {
        if (value) form.append(name, value);
      }
      for (const file of files) form.append(file.kind, await openAsBlob(file.path), file.fileName);
      let response: Response;
      try {
        response = await fetch(`${base}/api/v1/uploads`, {
          method: 'POST',
          headers: signIdentity(identity, options.internalSecret),
          body: form,
          redirect: 'error',
          signal: AbortSignal.timeout(options.timeoutMs ?? 600_000),
        });
      } catch (error) {
        throw new DbtArtifactsClientError(
          `the dbt-artifacts service at ${base} is unreachable: ${(error as Error).message}`,
          null,
        );
      }
      const text = await response.text();
      let body: {
        artifactSet?: { id: string; state: string };
        unchanged?: boolean;
        error?: { message?: string };
      } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        // reported below with the status
      }
      if (!response.ok || !body.artifactSet) {
        throw new DbtArtifactsClientError(
          `dbt-artifacts refused the artifacts (${response.status}): ${body.error?.message ?? text.slice(0, 300)}`,
          response.status,
        );
      }
      return { id: body.artifactSet.id, state: body.artifactSet.state, unchanged: body.unchanged === true };
    },
  };
}
