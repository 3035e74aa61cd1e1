import { Args, Int, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequireRole } from '@cartograph/platform/graphql';
import { Event, EventConnection } from './event.model.js';
import { EventsService } from './events.service.js';

@Resolver(() => Event)
@RequireRole('viewer')
export class EventsResolver {
  constructor(private readonly eventsService: EventsService) {}

  @Query(() => EventConnection, {
    description: 'Recent events, newest first (kept EVENT_LOG_RETENTION_DAYS).',
  })
  events(
    @Args('types', { type: () => [String], nullable: true }) types: string[] | null,
    @Args('since', { type: () => Date, nullable: true }) since: Date | null,
    @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number,
    @Args('after', { type: () => String, nullable: true }) after: string | null,
  ) {
    return this.eventsService.list(types, since, first, after);
  }

  /**
   * Declared here so the supergraph has it; the gateway executes it on its WebSocket endpoint from the
   * event stream (Apollo Gateway does not federate subscriptions). Calling it on the subgraph is refused.
   */
  @Subscription(() => Event, {
    name: 'events',
    description: 'Live events over graphql-ws at the gateway, filtered by type and subject (`*` globs).',
  })
  subscribeToEvents(
    @Args('types', { type: () => [String], nullable: true }) _types: string[] | null,
    @Args('subject', { type: () => String, nullable: true }) _subject: string | null,
  ): AsyncIterator<Event> {
    throw new Error('Subscribe through the gateway WebSocket endpoint');
  }
}
