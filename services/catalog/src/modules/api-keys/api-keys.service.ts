import { Injectable } from '@nestjs/common';
import {
  apiKeyHint,
  generateApiKey,
  hashApiKey,
  looksLikeApiKey,
  type Identity,
  type Role,
} from '@cartograph/platform/auth';
import {
  badUserInput,
  decodeCursor,
  notFound,
  pageSize,
  toConnection,
  type Connection,
} from '@cartograph/platform/graphql';
import type { ApiKeyEntity } from './api-key.entity.js';
import type { ApiKey, RoleValue } from './api-key.model.js';
import { ApiKeysRepository } from './api-keys.repository.js';

export function toApiKey(entity: ApiKeyEntity): ApiKey {
  return { ...entity, role: entity.role as RoleValue };
}

export interface VerifiedKey {
  id: string;
  name: string;
  role: Role;
}

@Injectable()
export class ApiKeysService {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly keys: ApiKeysRepository) {}

  async create(
    input: { name: string; role: Role; expiresAt?: Date | null },
    createdBy: string | null,
  ): Promise<{ apiKey: ApiKey; key: string }> {
    const name = input.name.trim();
    if (name.length === 0 || name.length > 100) {
      throw badUserInput('"name" must have 1 to 100 characters', { argument: 'name' });
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw badUserInput('"expiresAt" must be in the future', { argument: 'expiresAt' });
    }
    const key = generateApiKey();
    const entity = await this.keys.insert({
      name,
      role: input.role,
      keyHash: hashApiKey(key),
      hint: apiKeyHint(key),
      createdBy,
      expiresAt: input.expiresAt ?? null,
    });
    return { apiKey: toApiKey(entity), key };
  }

  async list(
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ApiKey>> {
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await this.keys.list(
      cursor ? { createdAt: String(cursor[0]), id: String(cursor[1]) } : null,
      limit + 1,
    );
    return toConnection(
      rows,
      limit,
      totalCount,
      (row) => [row.createdAt.toISOString(), row.id],
      Boolean(cursor),
      toApiKey,
    );
  }

  async revoke(id: string): Promise<ApiKey> {
    const existing = await this.keys.findById(id);
    if (!existing) {
      throw notFound(`API key ${id}`);
    }
    await this.keys.revoke(id);
    return toApiKey((await this.keys.findById(id))!);
  }

  /** Called by the gateway (cached there); returns null for unknown, revoked or expired keys. */
  async verify(key: string): Promise<VerifiedKey | null> {
    if (!looksLikeApiKey(key)) {
      return null;
    }
    const entity = await this.keys.findActiveByHash(hashApiKey(key));
    if (!entity || (entity.expiresAt && entity.expiresAt.getTime() <= Date.now())) {
      return null;
    }
    const now = Date.now();
    if (now - (this.lastTouched.get(entity.id) ?? 0) > 60_000) {
      this.lastTouched.set(entity.id, now);
      await this.keys.touch(entity.id);
    }
    return { id: entity.id, name: entity.name, role: entity.role as Role };
  }

  /** The first-run key `npm start` prints; created only when no active key exists. */
  async bootstrapAdminKey(): Promise<string | null> {
    if ((await this.keys.countActive()) > 0) {
      return null;
    }
    const { key } = await this.create(
      { name: 'local admin (created on first run)', role: 'admin' },
      'bootstrap',
    );
    return key;
  }

  static creator(identity: Identity): string {
    return identity.name ? `${identity.kind}:${identity.name}` : `${identity.kind}:${identity.subject}`;
  }
}
