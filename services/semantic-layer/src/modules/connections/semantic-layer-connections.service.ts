import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { isUniqueViolation } from '@cartograph/platform/database';
import {
  badUserInput,
  checkConnectionName,
  decodeCursor,
  isUuid,
  notFound,
  pageSize,
  toConnection,
} from '@cartograph/platform/graphql';
import { SemanticLayerQueryError, environmentIdVariable } from '@cartograph/semantic-layer';
import { SemanticLayerUpstreamError } from '../upstream/semantic-layer-upstream.error.js';
import { SemanticLayerClientFactory } from './semantic-layer-client.factory.js';
import type { SemanticLayerConnectionEntity } from './semantic-layer-connection.entity.js';
import {
  SemanticLayerMode,
  type CreateSemanticLayerConnectionInput,
  type SemanticLayerConnection,
  type SemanticLayerConnectionTest,
  type UpdateSemanticLayerConnectionInput,
} from './semantic-layer-connection.model.js';
import { toSemanticLayerConnectionView } from './semantic-layer-connection.view.js';
import { SemanticLayerConnectionsRepository } from './semantic-layer-connections.repository.js';
import { SemanticManifestsService } from '../manifests/semantic-manifests.service.js';

export const DEFAULT_SEMANTIC_LAYER_HOST = 'https://semantic-layer.cloud.getdbt.com';

/** An http(s) origin with an optional path; `/api/graphql` is added by the client. */
export function checkHost(host: string): string {
  let url: URL;
  try {
    url = new URL(host.trim());
  } catch {
    throw badUserInput(
      `host: ${JSON.stringify(host.slice(0, 100))} is not a URL; use https://semantic-layer.cloud.getdbt.com or your region's host`,
      {
        argument: 'host',
      },
    );
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || url.search) {
    throw badUserInput('host: use an http(s) URL without credentials or query string', { argument: 'host' });
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/api\/graphql$/, '')}`;
}

function checkEnvironmentId(value: string): string {
  try {
    return environmentIdVariable(value);
  } catch (error) {
    if (error instanceof SemanticLayerQueryError)
      throw badUserInput(error.message, { argument: 'environmentId' });
    throw error;
  }
}

function checkToken(token: string): string {
  const trimmed = token.trim();
  if (trimmed.length < 8 || trimmed.length > 4_096 || /\s/.test(trimmed))
    throw badUserInput('token must be a dbt service token or personal access token (no spaces)', {
      argument: 'token',
    });
  return trimmed;
}

/** A failure as the connection shows it: a DESIGN §6 code and a message that holds no token. */
export function describeSemanticLayerFailure(error: unknown): { code: string; message: string } {
  if (error instanceof SemanticLayerUpstreamError) return { code: error.code, message: error.message };
  return {
    code: 'INTERNAL',
    message: 'Internal error while calling the Semantic Layer; see the service log',
  };
}

export type CloudConnection = SemanticLayerConnectionEntity & {
  environmentId: string;
  tokenCiphertext: string;
};

@Injectable()
export class SemanticLayerConnectionsService {
  constructor(
    private readonly connections: SemanticLayerConnectionsRepository,
    private readonly clients: SemanticLayerClientFactory,
    private readonly manifests: SemanticManifestsService,
  ) {}

  async get(id: string): Promise<SemanticLayerConnection | null> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    return connection ? toSemanticLayerConnectionView(connection) : null;
  }

  async list(first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string] | null;
    const { rows, total } = await this.connections.list(size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.name, row.id],
      Boolean(cursor),
      toSemanticLayerConnectionView,
    );
  }

  async create(
    input: CreateSemanticLayerConnectionInput,
    createdBy: string | null,
  ): Promise<SemanticLayerConnection> {
    const name = checkConnectionName(input.name);
    const id = randomUUID();
    const values: Partial<SemanticLayerConnectionEntity> = {
      id,
      name,
      mode: input.mode,
      host: checkHost(input.host ?? DEFAULT_SEMANTIC_LAYER_HOST),
      createdBy,
      environmentId: null,
      tokenCiphertext: null,
      tokenHint: null,
      dbtProject: null,
    };
    if (input.mode === SemanticLayerMode.DBT_CLOUD) {
      if (!input.environmentId)
        throw badUserInput('environmentId is required for DBT_CLOUD', { argument: 'environmentId' });
      if (!input.token) throw badUserInput('token is required for DBT_CLOUD', { argument: 'token' });
      const token = checkToken(input.token);
      values.environmentId = checkEnvironmentId(input.environmentId);
      values.tokenCiphertext = this.clients.encrypt(id, token);
      values.tokenHint = this.clients.hint(token);
    } else {
      if (!input.dbtProject?.trim())
        throw badUserInput('dbtProject is required for DBT_CORE', { argument: 'dbtProject' });
      values.dbtProject = input.dbtProject.trim();
    }
    try {
      return toSemanticLayerConnectionView(await this.connections.insert(values));
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A semantic layer connection named "${name}" already exists`, {
          argument: 'name',
        });
      throw error;
    }
  }

  async update(id: string, input: UpdateSemanticLayerConnectionInput): Promise<SemanticLayerConnection> {
    const existing = await this.require(id);
    const changes: Partial<SemanticLayerConnectionEntity> = {};
    if (input.name != null) changes.name = checkConnectionName(input.name);
    if (input.host != null) changes.host = checkHost(input.host);
    if (input.environmentId != null) changes.environmentId = checkEnvironmentId(input.environmentId);
    if (input.token != null) {
      const token = checkToken(input.token);
      changes.tokenCiphertext = this.clients.encrypt(id, token);
      changes.tokenHint = this.clients.hint(token);
    }
    if (input.dbtProject != null) changes.dbtProject = input.dbtProject.trim() || null;
    // New credentials or a new target make the old error meaningless.
    if (changes.host || changes.environmentId || changes.tokenCiphertext) changes.lastError = null;
    try {
      await this.connections.update(id, changes);
    } catch (error) {
      if (isUniqueViolation(error))
        throw badUserInput(`A semantic layer connection named "${changes.name}" already exists`, {
          argument: 'name',
        });
      throw error;
    }
    return toSemanticLayerConnectionView({ ...existing, ...changes, updatedAt: new Date() });
  }

  async delete(id: string): Promise<boolean> {
    await this.require(id);
    return this.connections.remove(id);
  }

  /**
   * Lists the environment's metrics with the token (what every query needs to work); for DBT_CORE, reads the
   * project's semantic manifest from the artifact store.
   */
  async test(id: string): Promise<SemanticLayerConnectionTest> {
    const found = await this.require(id);
    if (found.mode === SemanticLayerMode.DBT_CORE) return this.testCore(found);
    const connection = this.asCloud(found);
    const client = this.clients.create(connection);
    try {
      const metrics = await client.metrics();
      await this.connections.update(id, { lastError: null, lastTestedAt: new Date() });
      return { ok: true, metricCount: metrics.length, error: null };
    } catch (error) {
      const failure = describeSemanticLayerFailure(error);
      const at = new Date();
      await this.connections.update(id, {
        lastError: { ...failure, at: at.toISOString() },
        lastTestedAt: at,
      });
      return { ok: false, metricCount: 0, error: { ...failure, at } };
    } finally {
      await client.close().catch(() => undefined);
    }
  }

  private async testCore(connection: SemanticLayerConnectionEntity): Promise<SemanticLayerConnectionTest> {
    const at = new Date();
    try {
      await this.manifests.refresh(connection.dbtProject ?? '');
      const metadata = await this.manifests.metadata(connection.dbtProject ?? '');
      await this.connections.update(connection.id, { lastError: null, lastTestedAt: at });
      return { ok: true, metricCount: metadata.manifest.metrics.length, error: null };
    } catch (error) {
      const code = (error as { extensions?: { code?: string } }).extensions?.code ?? 'UPSTREAM_UNAVAILABLE';
      const failure = { code, message: (error as Error).message };
      await this.connections.update(connection.id, {
        lastError: { ...failure, at: at.toISOString() },
        lastTestedAt: at,
      });
      return { ok: false, metricCount: 0, error: { ...failure, at } };
    }
  }

  /** Records a failure that concerns the connection itself (a refused token). */
  async recordFailure(id: string, failure: { code: string; message: string }): Promise<void> {
    await this.connections.update(id, { lastError: { ...failure, at: new Date().toISOString() } });
  }

  async require(id: string): Promise<SemanticLayerConnectionEntity> {
    const connection = isUuid(id) ? await this.connections.byId(id) : null;
    if (!connection) throw notFound(`semantic layer connection ${id}`);
    return connection;
  }

  /** A connection that reaches the Semantic Layer API; DBT_CORE ones have no token to query with. */
  async requireCloud(id: string): Promise<CloudConnection> {
    return this.asCloud(await this.require(id));
  }

  /** The connection as one that reaches the Semantic Layer API, or the error saying it is DBT_CORE. */
  asCloud(connection: SemanticLayerConnectionEntity): CloudConnection {
    if (
      connection.mode !== SemanticLayerMode.DBT_CLOUD ||
      !connection.environmentId ||
      !connection.tokenCiphertext
    ) {
      throw badUserInput(
        `semantic layer connection ${connection.name} is a DBT_CORE connection: it lists metrics, dimensions and saved queries from the artifact store, but running or compiling queries needs a DBT_CLOUD connection`,
        { argument: 'connectionId' },
      );
    }
    return connection as CloudConnection;
  }
}
