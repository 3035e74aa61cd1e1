import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { connectionType } from '@cartograph/platform/graphql';
import { Dataset } from '../datasets/dataset.model.js';

export enum SearchResultType {
  DATASET = 'DATASET',
}
registerEnumType(SearchResultType, {
  name: 'SearchResultType',
  description: 'What a search hit is; more types join as sources add them.',
});

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

  @Field(() => Dataset, { nullable: true })
  dataset: Dataset | null;
}

export const SearchHitConnection = connectionType(SearchHit, 'SearchHit');
