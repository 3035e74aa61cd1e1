import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  badUserInput,
  decodeCursor,
  notFound,
  pageSize,
  requestLoader,
  toConnection,
} from '@cartograph/platform/graphql';
import { HexUsersRepository } from '../users/hex-users.repository.js';
import type { HexProject, HexProjectFilter } from './hex-project.model.js';
import { toHexProjectView, unsyncedHexProject } from './hex-project.view.js';
import { HexProjectsRepository } from './hex-projects.repository.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class HexProjectsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly projects: HexProjectsRepository,
    private readonly users: HexUsersRepository,
  ) {}

  async list(filter: HexProjectFilter | null, first: number, after: string | null) {
    const size = pageSize(first);
    const cursor = decodeCursor(after) as [string, string, string] | null;
    // Connection ids are UUIDs: any other id names no connection.
    if (filter?.connectionId && !UUID.test(filter.connectionId)) {
      return toConnection([], size, 0, () => [], Boolean(cursor));
    }
    const { rows, total } = await this.projects.list(filter ?? {}, size + 1, cursor);
    return toConnection(
      rows,
      size,
      total,
      (row) => [row.title, row.id, row.connectionId],
      Boolean(cursor),
      toHexProjectView,
    );
  }

  /** One project by its Hex id; null when no sync has seen it. */
  async get(context: object, id: string): Promise<HexProject | null> {
    return this.loader(context).load(id);
  }

  /** The entity reference of the gateway: a project only known from query comments still resolves, unsynced. */
  async reference(context: object, id: string): Promise<HexProject> {
    return (await this.loader(context).load(id)) ?? unsyncedHexProject(id);
  }

  /** Sets (or, with a null email, clears) the owner by hand; syncs never overwrite a manual owner. */
  async setOwner(id: string, connectionId: string | null, email: string | null): Promise<HexProject> {
    if (connectionId && !UUID.test(connectionId)) throw notFound(`Hex connection ${connectionId}`);
    const [existing] = connectionId
      ? await this.projects.byKeys(connectionId, [id])
      : await this.projects.byIds([id]);
    if (!existing) throw notFound(`Hex project ${id}`);
    let owner: { email: string | null; name: string | null; source: string | null } = {
      email: null,
      name: null,
      source: null,
    };
    if (email !== null) {
      const normalised = email.trim().toLowerCase();
      if (!EMAIL.test(normalised) || normalised.length > 320) {
        throw badUserInput(`email must be an email address, got "${email.slice(0, 60)}"`, {
          argument: 'email',
        });
      }
      const user = (await this.users.byEmail(existing.connectionId)).get(normalised);
      owner = { email: normalised, name: user?.name ?? null, source: 'manual' };
    }
    await this.projects.setOwner(existing.connectionId, id, owner);
    return toHexProjectView({
      ...existing,
      ownerEmail: owner.email,
      ownerName: owner.name,
      ownerSource: owner.source,
    });
  }

  private loader(context: object) {
    return requestLoader<string, HexProject | null>(context, 'hex-projects', async (ids) => {
      const rows = await this.projects.byIds(ids);
      const byId = new Map(rows.map((row) => [row.id, toHexProjectView(row)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }
}
