import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';

export enum RoleValue {
  VIEWER = 'viewer',
  EDITOR = 'editor',
  ADMIN = 'admin',
}
registerEnumType(RoleValue, {
  name: 'Role',
  description:
    'viewer reads; editor also triggers syncs and uploads; admin also manages connections, keys and webhooks.',
});

@ObjectType({ description: 'An API key. The key itself is shown once, at creation.' })
export class ApiKey {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => RoleValue)
  role: RoleValue;

  @Field({ description: 'First and last characters, to recognise the key.' })
  hint: string;

  @Field(() => String, { nullable: true })
  createdBy: string | null;

  @Field()
  createdAt: Date;

  @Field(() => Date, { nullable: true })
  expiresAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

export const ApiKeyConnection = connectionType(ApiKey, 'ApiKey');

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey: ApiKey;

  @Field({ description: 'The key. Store it now: Cartograph keeps only its hash and cannot show it again.' })
  key: string;
}

@InputType()
export class CreateApiKeyInput {
  @Field()
  name: string;

  @Field(() => RoleValue)
  role: RoleValue;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;
}
