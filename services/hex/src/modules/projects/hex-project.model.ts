import { Directive, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { JSONScalar, connectionType } from '@cartograph/platform/graphql';

@ObjectType('HexOwner', { description: "The project's owner in the catalog." })
export class HexOwner {
  @Field()
  email: string;

  @Field(() => String, { nullable: true })
  name: string | null;

  @Field({
    description:
      'hex (a workspace user matched by email by the sync) or manual (set by hand, kept by syncs).',
  })
  source: string;
}

@ObjectType('HexAppViews', { description: 'Views of the published app (drafts have none).' })
export class HexAppViews {
  @Field(() => Int)
  allTime: number;

  @Field(() => Int)
  lastSevenDays: number;

  @Field(() => Int)
  lastFourteenDays: number;

  @Field(() => Int)
  lastThirtyDays: number;
}

@ObjectType('HexProjectSchedule', { description: 'A scheduled run of the project.' })
export class HexProjectSchedule {
  @Field({ description: 'HOURLY, DAILY, WEEKLY, MONTHLY or CUSTOM.' })
  cadence: string;

  @Field()
  enabled: boolean;

  @Field(() => JSONScalar, {
    nullable: true,
    description:
      'The cadence settings as Hex gives them: timezone (an offset), minute, hour, dayOfWeek, day, cron.',
  })
  settings: unknown;
}

@ObjectType('HexProject', {
  description:
    'A Hex project or component. Every field but `id` and `datasets` comes from the hex subgraph; a project known only from query comments (not synced) has `synced: false` and no other data.',
})
@Directive('@key(fields: "id")')
export class HexProject {
  @Field(() => ID, { description: "Hex's project id (a UUID), as query comments carry it." })
  id: string;

  @Field({ description: 'Whether a sync has seen the project (false: known only from query comments).' })
  synced: boolean;

  @Field(() => String, { nullable: true, description: 'The Hex connection that synced it.' })
  connectionId: string | null;

  @Field(() => String, { nullable: true })
  title: string | null;

  @Field(() => String, { nullable: true })
  description: string | null;

  @Field(() => String, { nullable: true, description: 'PROJECT or COMPONENT.' })
  type: string | null;

  @Field(() => String, { nullable: true, description: 'The workspace-defined status, e.g. "Approved".' })
  status: string | null;

  @Field(() => [String])
  categories: string[];

  @Field(() => [String], { description: 'Collection names.' })
  collections: string[];

  @Field(() => [String], {
    description:
      'hex:category:<name>, hex:status:<name>, hex:collection:<name>, as the connection imports them.',
  })
  tags: string[];

  @Field(() => HexOwner, { nullable: true })
  owner: HexOwner | null;

  @Field(() => String, { nullable: true })
  creatorEmail: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'The owner as Hex names it, matched to a user or not.',
  })
  hexOwnerEmail: string | null;

  @Field(() => Date, { nullable: true })
  createdAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastEditedAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastPublishedAt: Date | null;

  @Field({ description: 'Published at least once (an app exists).' })
  published: boolean;

  @Field(() => Date, { nullable: true })
  archivedAt: Date | null;

  @Field(() => Date, { nullable: true })
  trashedAt: Date | null;

  @Field(() => HexAppViews, { nullable: true })
  appViews: HexAppViews | null;

  @Field(() => Date, { nullable: true })
  lastViewedAt: Date | null;

  @Field(() => [HexProjectSchedule])
  schedules: HexProjectSchedule[];

  @Field(() => String, {
    nullable: true,
    description: 'The app (/app/, once published) or the editor (/hex/), with the base62 project id.',
  })
  url: string | null;

  @Field(() => Date, { nullable: true, description: 'When a full sync stopped listing it (soft-deleted).' })
  removedAt: Date | null;

  @Field(() => Date, { nullable: true })
  syncedAt: Date | null;
}

export const HexProjectConnection = connectionType(HexProject, 'HexProject');

@InputType('HexProjectFilter')
export class HexProjectFilter {
  @Field(() => String, { nullable: true })
  connectionId?: string | null;

  @Field(() => String, { nullable: true, description: 'Words in the title (case-insensitive).' })
  search?: string | null;

  @Field(() => String, { nullable: true, description: 'PROJECT or COMPONENT.' })
  type?: string | null;

  @Field(() => String, { nullable: true })
  status?: string | null;

  @Field(() => String, { nullable: true })
  category?: string | null;

  @Field(() => String, { nullable: true, description: 'A tag such as hex:collection:Finance.' })
  tag?: string | null;

  @Field(() => String, { nullable: true, description: "The owner's email." })
  owner?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Also soft-deleted projects. Default false.' })
  includeRemoved?: boolean | null;
}
