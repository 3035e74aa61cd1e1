import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { HexUserEntity } from './hex-user.entity.js';

@Injectable()
export class HexUsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Replaces the connection's users with the listing just read. */
  async replace(manager: EntityManager, connectionId: string, users: HexUserEntity[]): Promise<void> {
    await manager.query(
      `DELETE FROM "hex"."hex_user" WHERE "connection_id" = $1 AND NOT ("id" = ANY($2::text[]))`,
      [connectionId, users.map((user) => user.id)],
    );
    if (users.length > 0) await manager.getRepository(HexUserEntity).upsert(users, ['connectionId', 'id']);
  }

  async byEmail(connectionId: string): Promise<Map<string, HexUserEntity>> {
    const users = await this.dataSource.getRepository(HexUserEntity).findBy({ connectionId });
    return new Map(users.map((user) => [user.email, user]));
  }
}
