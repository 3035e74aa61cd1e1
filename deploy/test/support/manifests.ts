// Parsing and schema validation of rendered Kubernetes manifests (kubernetes-models: the OpenAPI schemas of the
// Kubernetes API, compiled to ajv validators, offline).
import { parseAllDocuments } from 'yaml';

export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  [field: string]: any;
}

export function parseManifests(text: string): Manifest[] {
  const manifests: Manifest[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0)
      throw new Error(`invalid YAML: ${document.errors.map((e) => e.message).join('; ')}`);
    const value = document.toJS() as Manifest | null;
    if (value === null) continue;
    if (typeof value.apiVersion !== 'string' || typeof value.kind !== 'string' || !value.metadata?.name) {
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    }
    manifests.push(value);
  }
  return manifests;
}

/** kubernetes-models/<group>/<version>/<Kind> (core group: kubernetes-models/v1/<Kind>). */
export function modelModule(manifest: Pick<Manifest, 'apiVersion' | 'kind'>): string {
  const parts = manifest.apiVersion.split('/');
  const groupVersion = parts.length === 1 ? parts[0] : `${parts[0]}/${parts[1]}`;
  return `kubernetes-models/${groupVersion}/${manifest.kind}`;
}

type ModelClass = new (data: unknown) => { validate(): void };

/** Throws with the manifest's kind/name and every schema error. */
export async function validateManifest(manifest: Manifest): Promise<void> {
  const module = (await import(modelModule(manifest))) as Record<string, ModelClass>;
  const Model = module[manifest.kind];
  if (!Model) throw new Error(`${modelModule(manifest)} exports no ${manifest.kind}`);
  try {
    new Model(manifest).validate();
  } catch (error) {
    throw new Error(`${manifest.kind}/${manifest.metadata.name}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function byKind(manifests: Manifest[], kind: string): Manifest[] {
  return manifests.filter((m) => m.kind === kind);
}

export function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found)
    throw new Error(
      `no ${kind}/${name} among ${manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ')}`,
    );
  return found;
}

/** Does a label selector's matchLabels select these labels? */
export function selects(
  matchLabels: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!matchLabels || Object.keys(matchLabels).length === 0) return true;
  return Object.entries(matchLabels).every(([key, value]) => labels?.[key] === value);
}
