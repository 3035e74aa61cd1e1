import { Inject, Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { badUserInput } from '@cartograph/platform/graphql';
import { CONFIG } from '@cartograph/platform/nest';
import { SecretBox, secretHint } from '@cartograph/platform/secrets';
import type { WarehouseConfig } from '../../warehouse.definition.js';
import { connectorDefinition } from '../connectors/connector-registry.js';
import type { WarehouseConnector, WarehouseConnectorDefinition } from '../connectors/warehouse-connector.js';
import type { WarehouseConnectionEntity } from './warehouse-connection.entity.js';

const credentialsContext = (connectionId: string) => `warehouse/connection/${connectionId}/credentials`;

/** A zod failure as one line naming the fields, e.g. `settings.host: Required; settings.port: …`. */
function describeIssues(argument: string, error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${[argument, ...issue.path.map(String)].join('.')}: ${issue.message}`)
    .join('; ');
}

/** The only place a connection's credentials are decrypted, and connectors are built. */
@Injectable()
export class ConnectorFactory {
  constructor(
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: WarehouseConfig,
  ) {}

  definition(platform: string): WarehouseConnectorDefinition<unknown, unknown> {
    const definition = connectorDefinition(platform);
    if (!definition) {
      throw badUserInput(`platform "${platform.slice(0, 40)}" has no warehouse connector`, {
        argument: 'platform',
      });
    }
    return definition;
  }

  /** Validated settings; a BAD_USER_INPUT error names each wrong field. */
  settings(platform: string, value: unknown): Record<string, unknown> {
    const parsed = this.definition(platform).settingsSchema.safeParse(value ?? {});
    if (!parsed.success) {
      throw badUserInput(describeIssues('settings', parsed.error), { argument: 'settings' });
    }
    return parsed.data as Record<string, unknown>;
  }

  /** Validated credentials, never echoed: the messages name fields, not values. */
  credentials(platform: string, value: unknown): Record<string, unknown> {
    const parsed = this.definition(platform).credentialsSchema.safeParse(value ?? {});
    if (!parsed.success) {
      throw badUserInput(describeIssues('credentials', parsed.error), { argument: 'credentials' });
    }
    return parsed.data as Record<string, unknown>;
  }

  encrypt(connectionId: string, credentials: Record<string, unknown>): string {
    return this.secrets.encrypt(JSON.stringify(credentials), { context: credentialsContext(connectionId) });
  }

  /** `…9f3a` per string credential field, so a user can tell which key a connection holds. */
  hints(credentials: Record<string, unknown>): Record<string, string> {
    const hints: Record<string, string> = {};
    for (const [field, value] of Object.entries(credentials)) {
      if (typeof value === 'string' && value !== '') hints[field] = secretHint(value) ?? '…';
    }
    return hints;
  }

  create(
    connection: Pick<WarehouseConnectionEntity, 'id' | 'platform' | 'settings' | 'credentialsCiphertext'>,
    signal?: AbortSignal,
  ): WarehouseConnector {
    const definition = this.definition(connection.platform);
    const credentials = JSON.parse(
      this.secrets.decrypt(connection.credentialsCiphertext, { context: credentialsContext(connection.id) }),
    ) as unknown;
    return definition.create({
      settings: definition.settingsSchema.parse(connection.settings),
      credentials: definition.credentialsSchema.parse(credentials),
      timeoutMs: this.config.WAREHOUSE_REQUEST_TIMEOUT_SECONDS * 1_000,
      signal,
    });
  }
}
