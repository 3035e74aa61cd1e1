import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What a service declares under "cartograph" in its package.json; the CLI and `npm start` read nothing else. */
export interface ServiceEntry {
  name: string;
  directory: string;
  port: number;
  subgraph: boolean;
  gateway: boolean;
  definition?: string;
  /** Module exporting `environmentModels`, for the configuration reference. */
  config?: string;
  api: string;
  worker?: string;
  workerPort?: number;
  commands: Record<string, string>;
}

export function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'services')) || !existsSync(join(directory, 'libs'))) {
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error('Cannot find the Cartograph repository root (a folder with services/ and libs/)');
    }
    directory = parent;
  }
  return directory;
}

export function listServices(root = repositoryRoot()): ServiceEntry[] {
  const servicesDirectory = join(root, 'services');
  return readdirSync(servicesDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(servicesDirectory, entry.name, 'package.json')))
    .map((entry) => {
      const directory = join(servicesDirectory, entry.name);
      const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as {
        cartograph?: Partial<ServiceEntry>;
      };
      const declared = manifest.cartograph ?? {};
      return {
        name: entry.name,
        directory,
        port: declared.port ?? 0,
        subgraph: declared.subgraph ?? false,
        gateway: declared.gateway ?? false,
        definition: declared.definition,
        config: declared.config,
        api: declared.api ?? 'dist/src/main.js',
        worker: declared.worker,
        workerPort: declared.workerPort,
        commands: declared.commands ?? {},
      };
    })
    .filter((service) => service.port > 0)
    .sort((left, right) => left.port - right.port);
}

export function findService(name: string, root = repositoryRoot()): ServiceEntry {
  const services = listServices(root);
  const service = services.find((candidate) => candidate.name === name);
  if (!service) {
    throw new Error(
      `Unknown service "${name}"; known: ${services.map((candidate) => candidate.name).join(', ')}`,
    );
  }
  return service;
}

export function servicePath(service: ServiceEntry, relative: string): string {
  const path = resolve(service.directory, relative);
  if (!existsSync(path)) {
    throw new Error(`${path} does not exist: run "npm run build" first`);
  }
  return path;
}

/** `SUBGRAPH_<NAME>_URL` for the gateway, e.g. SUBGRAPH_DBT_ARTIFACTS_URL. */
export function subgraphUrlVariable(name: string): string {
  return `SUBGRAPH_${name.toUpperCase().replace(/-/g, '_')}_URL`;
}
