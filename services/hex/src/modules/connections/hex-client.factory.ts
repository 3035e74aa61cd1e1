import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RedisTokenBucket } from '@cartograph/platform/http';
import { CONFIG, REDIS } from '@cartograph/platform/nest';
import { redisKey } from '@cartograph/platform/redis';
import { SecretBox } from '@cartograph/platform/secrets';
import type { HexConfig } from '../../hex.definition.js';
import { createHexClient, type HexClient } from '../hex-api/hex.client.js';
import { hexApiBaseUrl } from '../hex-api/hex-urls.js';
import type { HexConnectionEntity } from './hex-connection.entity.js';

const tokenContext = (connectionId: string) => `hex/connection/${connectionId}/token`;

/**
 * The only place a connection's token is decrypted. Every client of one token (in any worker or API process)
 * draws from one Redis token bucket, keyed by a hash of the API base and the token, so two connections with
 * the same token share Hex's limit too, and the key never holds the token.
 */
@Injectable()
export class HexClientFactory {
  constructor(
    private readonly secrets: SecretBox,
    @Inject(CONFIG) private readonly config: HexConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  encrypt(connectionId: string, token: string): string {
    return this.secrets.encrypt(token, { context: tokenContext(connectionId) });
  }

  create(
    connection: Pick<HexConnectionEntity, 'id' | 'host' | 'tokenCiphertext'>,
    options: { token?: string; signal?: AbortSignal } = {},
  ): HexClient {
    const token =
      options.token ??
      this.secrets.decrypt(connection.tokenCiphertext, { context: tokenContext(connection.id) });
    const tokenHash = createHash('sha256')
      .update(`${hexApiBaseUrl(connection.host)}\n${token}`)
      .digest('hex');
    return createHexClient(
      { host: connection.host, token },
      {
        rateLimiter: new RedisTokenBucket({
          redis: this.redis,
          key: redisKey(this.config.REDIS_PREFIX, 'rate', 'hex', tokenHash),
          tokensPerSecond: this.config.HEX_REQUESTS_PER_MINUTE / 60,
          burst: this.config.HEX_RATE_LIMIT_BURST,
        }),
        timeoutMs: this.config.HEX_REQUEST_TIMEOUT_SECONDS * 1_000,
        signal: options.signal,
      },
    );
  }
}
