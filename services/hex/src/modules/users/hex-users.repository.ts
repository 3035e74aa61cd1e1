import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { HexUserEntity } from './hex-user.entity.js';

@Injectable()
export class HexUsersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Replaces the connection's users with the listing just read. */
  async replace(manager: EntityManager, connectionId: string, users: HexUserEntity[]): Promise<void> {
    await manager.delete(HexUserEntity, { connectionId });
    if (users.length > 0) await manager.getRepository(HexUserEntity).insert(users);
  }

  async byEmail(connectionId: string): Promise<Map<string, HexUserEntity>> {
    const users = await this.dataSource.getRepository(HexUserEntity).findBy({ connectionId });
    return new Map(users.map((user) => [user.email, user]));
  }
}
