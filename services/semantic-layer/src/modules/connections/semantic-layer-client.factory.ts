import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '@cartograph/platform/nest';
import { SecretBox, secretHint } from '@cartograph/platform/secrets';
import type { SemanticLayerConfig } from '../../semantic-layer.definition.js';
import { SemanticLayerClient } from '../upstream/semantic-layer.client.js';
import type { SemanticLayerConnectionEntity } from './semantic-layer-connection.entity.js';

const tokenContext = (connectionId: string) => `semantic-layer/connection/${connectionId}/token`;

/** The only place a connection's token is decrypted, and Semantic Layer clients are built. */
@Injectable()
export class SemanticLayerClientFactory {
  constructor(
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: SemanticLayerConfig,
  ) {}

  encrypt(connectionId: string, token: string): string {
    return this.secrets.encrypt(token, { context: tokenContext(connectionId) });
  }

  hint(token: string): string {
    return secretHint(token) ?? '…';
  }

  create(
    connection: Pick<SemanticLayerConnectionEntity, 'id' | 'host'> & {
      environmentId: string;
      tokenCiphertext: string;
    },
  ): SemanticLayerClient {
    return new SemanticLayerClient({
      host: connection.host,
      environmentId: connection.environmentId,
      token: this.secrets.decrypt(connection.tokenCiphertext, { context: tokenContext(connection.id) }),
      timeoutMs: this.config.SEMANTIC_LAYER_REQUEST_TIMEOUT_SECONDS * 1_000,
    });
  }
}
