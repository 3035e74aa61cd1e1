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
import {
  HexProjectDocumentsRepository,
  type HexProjectSearchRow,
} from './hex-project-documents.repository.js';
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
  constructor(
    private readonly search: SearchRepository,
    private readonly hexProjects: HexProjectDocumentsRepository,
  ) {}

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
    const wanted = (type: SearchResultType) => !types || types.length === 0 || types.includes(type);
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
    // Hex projects (from the hex events) are ranked the same way and merged by score.
    const hexHits = wanted(SearchResultType.HEX_PROJECT)
      ? await this.findHexProjects(text, queryWords, position, limit + 1)
      : { hits: [], totalCount: 0 };
    if (!wanted(SearchResultType.DATASET)) {
      return toConnection(
        hexHits.hits,
        limit,
        hexHits.totalCount,
        (hit) => [hit.score, hit.id],
        Boolean(cursor),
      );
    }
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
    const datasetHits = rows.map((row): SearchHit => {
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
        hexProject: null,
      };
    });
    const hits = [...datasetHits, ...hexHits.hits].sort(
      (left, right) => right.score - left.score || (left.id < right.id ? 1 : left.id > right.id ? -1 : 0),
    );
    return toConnection(
      hits,
      limit,
      totalCount + hexHits.totalCount,
      (hit) => [hit.score, hit.id],
      Boolean(cursor),
    );
  }

  private async findHexProjects(
    text: string,
    words: AnalysedWord[],
    after: { score: number; id: string } | null,
    limit: number,
  ): Promise<{ hits: SearchHit[]; totalCount: number }> {
    const search = (match: 'all' | 'any') =>
      this.hexProjects.search({
        textQuery: buildTextQuery(words, match),
        exactTitle: text.toLowerCase(),
        after,
        limit,
      });
    let { rows, totalCount } = await search('all');
    if (rows.length === 0 && !after && words.length > 1) ({ rows, totalCount } = await search('any'));
    return {
      totalCount,
      hits: rows.map((row: HexProjectSearchRow) => ({
        type: SearchResultType.HEX_PROJECT,
        id: row.id,
        title: row.title,
        snippet: (row.description ? highlight(row.description, text) : null) ?? highlight(row.title, text),
        score: row.score,
        dataset: null,
        hexProject: { id: row.id },
      })),
    };
  }
}
