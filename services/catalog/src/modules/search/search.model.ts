import { Directive, Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';
import { Dataset } from '../datasets/dataset.model.js';

export enum SearchResultType {
  DATASET = 'DATASET',
  HEX_PROJECT = 'HEX_PROJECT',
}
registerEnumType(SearchResultType, {
  name: 'SearchResultType',
  description: 'What a search hit is; more types join as sources add them.',
});

@ObjectType('HexProject', {
  description:
    'A Hex project, referenced by the id its query comments carry; the hex subgraph resolves the rest.',
})
@Directive('@key(fields: "id", resolvable: false)')
export class HexProjectReference {
  @Field(() => ID)
  id: string;
}

@ObjectType()
export class SearchHit {
  @Field(() => SearchResultType)
  type: SearchResultType;

  @Field(() => ID)
  id: string;

  @Field()
  title: string;

  @Field(() => String, {
    nullable: true,
    description: 'The matching text with matches wrapped in <mark>…</mark>; other HTML is escaped.',
  })
  snippet: string | null;

  @Field(() => Float, { description: 'Relevance; higher is better. Comparable within one search only.' })
  score: number;

  @Field(() => Dataset, { nullable: true, description: 'Set for DATASET hits.' })
  dataset: Dataset | null;

  @Field(() => HexProjectReference, {
    nullable: true,
    description: 'Set for HEX_PROJECT hits; its fields come from the hex subgraph.',
  })
  hexProject: HexProjectReference | null;
}

export const SearchHitConnection = connectionType(SearchHit, 'SearchHit');
