import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface DatasetSearchRow {
  id: string;
  platform: string;
  instance: string;
  database: string | null;
  schema: string | null;
  name: string;
  kind: string;
  description: string | null;
  description_source: string | null;
  sources: string[];
  first_seen_at: Date;
  last_seen_at: Date;
  removed_at: Date | null;
  score: number;
}

/** Ranking reads this many full-text matches at most; past that, more candidates only cost time. */
export const SEARCH_CANDIDATES = 300;
/** Name-prefix candidates per search: the name index returns them in name order, so a page needs few. */
export const PREFIX_CANDIDATES = 100;
/** Beyond this many full-text matches the index samples (gin_fuzzy_search_limit). */
export const FULL_TEXT_SAMPLE = 3_000;

export interface WordAnalysis {
  word: string;
  known: boolean;
  stems: string[];
  corrections: string[];
}

@Injectable()
export class SearchRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * For each query word: whether the vocabulary holds it, its English stem (descriptions are indexed
   * stemmed), and, for words the vocabulary does not hold, up to three close terms (typo correction).
   */
  async analyseWords(words: string[]): Promise<WordAnalysis[]> {
    return this.dataSource.transaction(async (manager) => {
      // Low enough for transpositions (`ordres` → `orders` scores 0.27); the AND across words keeps noise out.
      await manager.query(`SET LOCAL pg_trgm.similarity_threshold = 0.25`);
      return manager.query(
        `SELECT w.word,
                EXISTS (SELECT 1 FROM "catalog"."search_term" s WHERE s.term = w.word) AS known,
                coalesce((SELECT array_agg(lexeme) FROM unnest(to_tsvector('english', w.word))), '{}') AS stems,
                coalesce((
                  SELECT array_agg(term ORDER BY rank) FROM (
                    SELECT term, row_number() OVER (ORDER BY similarity(term, w.word) DESC, term) AS rank
                      FROM "catalog"."search_term"
                     WHERE term % w.word AND term <> w.word
                     LIMIT 3) close
                   WHERE NOT EXISTS (SELECT 1 FROM "catalog"."search_term" s WHERE s.term = w.word)
                ), '{}') AS corrections
           FROM unnest($1::text[]) WITH ORDINALITY AS w(word, position)
          ORDER BY w.position`,
        [words],
      );
    });
  }

  /**
   * Names starting with an identifier-like query (`fct_ord` → `fct_orders…`), by the btree on lower(name):
   * the common catalog search, answered without touching the full-text index.
   */
  async namePrefixCandidates(prefix: string): Promise<{ ids: string[]; count: number }> {
    const pattern = `${prefix.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const rows: { id: string }[] = await this.dataSource.query(
      // No ORDER BY: the pattern index cannot return collation order, and sorting thousands of matching
      // names to keep 100 costs more than ranking does; ranking orders them anyway.
      `SELECT id FROM "catalog"."dataset"
        WHERE lower(name) LIKE $1 AND removed_at IS NULL
        LIMIT $2`,
      [pattern, PREFIX_CANDIDATES],
    );
    if (rows.length < PREFIX_CANDIDATES) {
      return { ids: rows.map((row) => row.id), count: rows.length };
    }
    // Counting more names is an index-only scan of the partial name index.
    const [{ count }] = (await this.dataSource.query(
      `SELECT count(*)::int AS count FROM (
         SELECT 1 FROM "catalog"."dataset" WHERE lower(name) LIKE $1 AND removed_at IS NULL LIMIT ${SEARCH_CANDIDATES}) prefixed`,
      [pattern],
    )) as [{ count: number }];
    return { ids: rows.map((row) => row.id), count };
  }

  /**
   * Candidates (name-prefix ids, exact names, full-text matches on the stored document, at most
   * SEARCH_CANDIDATES), ranked by weighted cover density (name words weigh most), an exact-name bonus and a
   * preference for shorter names. totalCount is the number of candidates, so it saturates at the cap.
   */
  async searchDatasets(options: {
    textQuery: string | null;
    exactNames: string[];
    prefixIds: string[];
    after: { score: number; id: string } | null;
    limit: number;
  }): Promise<{ rows: DatasetSearchRow[]; totalCount: number }> {
    return this.dataSource.transaction(async (manager) => {
      // A word in a hundred thousand names would make the index build a bitmap of all of them; past this
      // many matches Postgres samples them instead (ranking then sees a sample of a very broad search).
      await manager.query(`SET LOCAL gin_fuzzy_search_limit = ${FULL_TEXT_SAMPLE}`);
      return this.rankedCandidates(manager, options);
    });
  }

  private async rankedCandidates(
    manager: EntityManager,
    options: {
      textQuery: string | null;
      exactNames: string[];
      prefixIds: string[];
      after: { score: number; id: string } | null;
      limit: number;
    },
  ): Promise<{ rows: DatasetSearchRow[]; totalCount: number }> {
    // Candidates carry their columns, so ranking reads each row once, in the scan that found it.
    const columns = `d.id, d.platform, d.instance, d.database, d.schema, d.name, d.kind, d.description, d.description_source,
                     d.sources, d.first_seen_at, d.last_seen_at, d.removed_at, d.search_document`;
    const rows: (DatasetSearchRow & { total: number })[] = await manager.query(
      `WITH q AS (SELECT CASE WHEN $1::text IS NULL THEN NULL ELSE to_tsquery('simple', $1) END AS query),
       candidates AS (
         SELECT ${columns} FROM "catalog"."dataset" d WHERE d.id = ANY($3::text[])
         UNION ALL
         -- No LIMIT here: with one, the planner bets on a sequential scan ending early, and loses when
         -- no name matches.
         (SELECT ${columns} FROM "catalog"."dataset" d
           WHERE lower(d.name) = ANY($2::text[]) AND d.removed_at IS NULL)
         ${
           // Left out entirely without a text query: a NULL tsquery would still cost a scan of the index.
           options.textQuery === null
             ? ''
             : `UNION ALL
         (SELECT ${columns} FROM "catalog"."dataset" d, q
           WHERE d.search_document @@ q.query AND d.removed_at IS NULL
           LIMIT ${SEARCH_CANDIDATES})`
         }
       ),
       ranked AS (
         SELECT DISTINCT ON (c.id) c.id, c.platform, c.instance, c.database, c.schema, c.name, c.kind, c.description,
                c.description_source, c.sources, c.first_seen_at, c.last_seen_at, c.removed_at,
                (coalesce(ts_rank_cd(c.search_document, q.query, 1), 0) * 4
                 + CASE WHEN lower(c.name) = ANY($2::text[]) THEN 2 ELSE 0 END
                 + CASE WHEN c.id = ANY($3::text[]) THEN 0.5 ELSE 0 END
                 + 1.0 / (1 + length(c.name)))::float8 AS score
           FROM candidates c, q
          ORDER BY c.id
       )
       SELECT *, (SELECT count(*)::int FROM ranked) AS total FROM ranked
        WHERE ($4::float8 IS NULL OR (score, id) < ($4::float8, $5::text))
        ORDER BY score DESC, id DESC
        LIMIT $6`,
      [
        options.textQuery,
        options.exactNames,
        options.prefixIds,
        options.after?.score ?? null,
        options.after?.id ?? null,
        options.limit,
      ],
    );
    return { rows, totalCount: rows[0]?.total ?? 0 };
  }

  /** Adds the words of a dataset's name and description to the vocabulary, inside the caller's transaction. */
  async addTerms(manager: EntityManager, texts: (string | null | undefined)[]): Promise<void> {
    await manager.query(
      `INSERT INTO "catalog"."search_term" ("term")
       SELECT DISTINCT word FROM regexp_split_to_table(lower($1), '[^[:alnum:]]+') AS word
        WHERE length(word) BETWEEN 2 AND 40
       ON CONFLICT DO NOTHING`,
      [texts.filter(Boolean).join(' ')],
    );
  }

  /** Refills the vocabulary from every dataset (after a bulk load that bypassed the registry). */
  async rebuildTerms(): Promise<number> {
    const rows: { count: number }[] = await this.dataSource.query(
      `WITH inserted AS (
         INSERT INTO "catalog"."search_term" ("term")
         SELECT DISTINCT word FROM "catalog"."dataset",
           regexp_split_to_table(lower("name" || ' ' || coalesce("description", '')), '[^[:alnum:]]+') AS word
          WHERE length(word) BETWEEN 2 AND 40
         ON CONFLICT DO NOTHING
         RETURNING 1)
       SELECT count(*)::int AS count FROM inserted`,
    );
    return rows[0]?.count ?? 0;
  }
}
