import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@cartograph/platform/nest';
import { SecretBox } from '@cartograph/platform/secrets';
import type { DbtCloudConfig } from '../../dbt-cloud.definition.js';
import { createDbtCloudClient, type DbtCloudClient } from '../cloud-api/dbt-cloud.client.js';
import type { CloudConnectionEntity } from './cloud-connection.entity.js';

const tokenContext = (connectionId: string) => `dbt-cloud/connection/${connectionId}/token`;

/** The only place a connection's token is decrypted, and clients are built with the configured limits. */
@Injectable()
export class CloudClientFactory {
  constructor(
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: DbtCloudConfig,
  ) {}

  encrypt(connectionId: string, token: string): string {
    return this.secrets.encrypt(token, { context: tokenContext(connectionId) });
  }

  create(
    connection: Pick<
      CloudConnectionEntity,
      'id' | 'accountId' | 'accessUrl' | 'discoveryUrl' | 'tokenCiphertext'
    >,
    token?: string,
  ): DbtCloudClient {
    return createDbtCloudClient(
      {
        accountId: connection.accountId,
        accessUrl: connection.accessUrl,
        discoveryUrl: connection.discoveryUrl,
        token:
          token ?? this.secrets.decrypt(connection.tokenCiphertext, { context: tokenContext(connection.id) }),
      },
      {
        requestsPerMinute: this.config.DBT_CLOUD_REQUESTS_PER_MINUTE,
        cooldownMs: this.config.DBT_CLOUD_RATE_LIMIT_COOLDOWN_SECONDS * 1_000,
      },
    );
  }
}
