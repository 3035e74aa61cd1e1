import { Injectable } from '@nestjs/common';
import { eventTypes } from '@cartograph/contracts';
import {
  badUserInput,
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '@cartograph/platform/graphql';
import type { Event } from './event.model.js';
import { EventsRepository } from './events.repository.js';

export function checkEventTypes(types: string[] | null | undefined, argument: string): void {
  const unknown = (types ?? []).filter((type) => !eventTypes.includes(type));
  if (unknown.length > 0) {
    throw badUserInput(
      `Unknown event type(s) ${unknown.map((type) => `"${type}"`).join(', ')}; known: ${eventTypes.join(', ')}`,
      {
        argument,
      },
    );
  }
}

@Injectable()
export class EventsService {
  constructor(private readonly events: EventsRepository) {}

  async list(
    types: string[] | null | undefined,
    since: Date | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<Event>> {
    checkEventTypes(types, 'types');
    const limit = pageSize(first);
    const cursor = decodeCursor(after);
    const { rows, totalCount } = await this.events.list({
      types: types ?? null,
      since: since ?? null,
      before: cursor ? { time: String(cursor[0]), id: String(cursor[1]) } : null,
      limit: limit + 1,
    });
    return toConnection(rows, limit, totalCount, (row) => [row.time.toISOString(), row.id], Boolean(cursor));
  }
}
