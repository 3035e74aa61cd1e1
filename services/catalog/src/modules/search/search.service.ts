import { Injectable } from '@nestjs/common';
import { badUserInput, decodeCursor, pageSize, toConnection, type Connection } from '@cartograph/platform/graphql';
import { toDataset } from '../datasets/datasets.service.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import type { DatasetKindValue } from '../datasets/dataset.model.js';
import { highlight } from './highlight.js';
import { SearchResultType, type SearchHit } from './search.model.js';
import { SearchRepository, type DatasetSearchRow } from './search.repository.js';
import { buildTextQuery, searchWords } from './search-words.js';

function toEntity(row: DatasetSearchRow): DatasetEntity {
  return {
    id: row.id,
    platform: row.platform,
    instance: row.instance,
    database: row.database,
    schema: row.schema,
    name: row.name,
    kind: row.kind,
    description: row.description,
    descriptionSource: row.description_source,
    sources: row.sources,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    removedAt: row.removed_at,
    searchDocument: null,
  };
}

/** Names the query may spell exactly (`custmer orders` → `customer_orders`), at most 20 combinations. */
function exactNameCandidates(words: string[], corrections: Map<string, string[]>): string[] {
  let names = [''];
  for (const word of words) {
    const alternatives = [word, ...(corrections.get(word) ?? [])];
    names = names.flatMap((prefix) => alternatives.map((alternative) => (prefix ? `${prefix}_${alternative}` : alternative))).slice(0, 20);
  }
  return names;
}

@Injectable()
export class SearchService {
  constructor(private readonly search: SearchRepository) {}

  async find(
    query: string,
    types: SearchResultType[] | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<SearchHit>> {
    const text = query.trim();
    if (text.length === 0 || text.length > 200) {
      throw badUserInput('"query" must have 1 to 200 characters', { argument: 'query' });
    }
    const limit = pageSize(first, 20);
    const cursor = decodeCursor(after);
    if (types && types.length > 0 && !types.includes(SearchResultType.DATASET)) {
      return toConnection([], limit, 0, () => [], Boolean(cursor));
    }
    const words = searchWords(text);
    if (words.length === 0) {
      return toConnection([], limit, 0, () => [], Boolean(cursor));
    }
    const corrections = await this.search.corrections(words);
    // A word that is neither known nor close to a known word would match nothing: leave it out, unless
    // that leaves nothing.
    const known = await this.search.knownWords(words);
    const usable = words.filter((word) => known.has(word) || corrections.has(word));
    const queryWords = usable.length > 0 ? usable : words;
    const { rows, totalCount } = await this.search.searchDatasets(
      buildTextQuery(queryWords, corrections),
      exactNameCandidates(queryWords, corrections),
      cursor ? { score: Number(cursor[0]), id: String(cursor[1]) } : null,
      limit + 1,
    );
    return toConnection(rows, limit, totalCount, (row) => [row.score, row.id], Boolean(cursor), (row) => {
      const dataset = toDataset(toEntity(row));
      const titleMatch = highlight(dataset.displayName, text);
      const descriptionMatch = row.description ? highlight(row.description, text) : null;
      return {
        type: SearchResultType.DATASET,
        id: row.id,
        title: dataset.displayName,
        snippet: descriptionMatch ?? titleMatch,
        score: row.score,
        dataset: { ...dataset, kind: dataset.kind as DatasetKindValue },
      };
    });
  }
}
