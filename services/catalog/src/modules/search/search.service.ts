import { Injectable } from '@nestjs/common';
import {
  badUserInput,
  decodeCursor,
  pageSize,
  toConnection,
  type Connection,
} from '@cartograph/platform/graphql';
import { toDataset } from '../datasets/datasets.service.js';
import type { DatasetEntity } from '../datasets/dataset.entity.js';
import type { DatasetKindValue } from '../datasets/dataset.model.js';
import { highlight } from './highlight.js';
import { SearchResultType, type SearchHit } from './search.model.js';
import { SearchRepository, type DatasetSearchRow } from './search.repository.js';
import { buildTextQuery, isIdentifierLike, searchWords, type AnalysedWord } from './search-words.js';

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
    columnText: null,
    sources: row.sources,
    firstSeenAt: row.first_seen_at,
    lastSeenAt: row.last_seen_at,
    removedAt: row.removed_at,
    searchDocument: null,
  };
}

/** Names the query may spell exactly (`custmer orders` → `customer_orders`), at most 20 combinations. */
function exactNameCandidates(words: AnalysedWord[]): string[] {
  let names = [''];
  for (const analysed of words) {
    const alternatives = [analysed.word, ...analysed.corrections];
    names = names
      .flatMap((prefix) =>
        alternatives.map((alternative) => (prefix ? `${prefix}_${alternative}` : alternative)),
      )
      .slice(0, 20);
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
    const analysis = await this.search.analyseWords(words);
    // A word that is neither known nor close to a known word would match nothing: leave it out, unless
    // that leaves nothing.
    // English stop words ("by", "of": no stem) only widen the index scan without narrowing the result.
    const usable = analysis.filter(
      (word) => (word.known || word.corrections.length > 0) && word.stems.length > 0,
    );
    const queryWords = usable.length > 0 ? usable : analysis;
    const exactNames = exactNameCandidates(queryWords);
    const position = cursor ? { score: Number(cursor[0]), id: String(cursor[1]) } : null;
    // Table-name prefixes are answered from the name index; the full-text index is only needed when they
    // do not fill the page.
    const prefixed = isIdentifierLike(text)
      ? await this.search.namePrefixCandidates(text.toLowerCase())
      : { ids: [], count: 0 };
    const search = (textQuery: string | null) =>
      this.search.searchDatasets({
        textQuery,
        exactNames,
        prefixIds: prefixed.ids,
        after: position,
        limit: limit + 1,
      });
    let { rows, totalCount } = await search(prefixed.ids.length > limit ? null : buildTextQuery(queryWords));
    // No dataset has every word: rank those that have any of them (cover density favours more words).
    if (rows.length === 0 && !position && queryWords.length > 1) {
      ({ rows, totalCount } = await search(buildTextQuery(queryWords, 'any')));
    }
    totalCount = Math.max(totalCount, prefixed.count);
    return toConnection(
      rows,
      limit,
      totalCount,
      (row) => [row.score, row.id],
      Boolean(cursor),
      (row) => {
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
      },
    );
  }
}
