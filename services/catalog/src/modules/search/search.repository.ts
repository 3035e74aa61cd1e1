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
export const SEARCH_CANDIDATES = 400;
/** totalCount of a search is exact up to this many hits and saturates there. */
export const SEARCH_COUNT_CAP = 1_000;

@Injectable()
export class SearchRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Close vocabulary terms for query words the vocabulary does not hold (typo correction), at most
   * three per word, by trigram similarity.
   */
  async corrections(words: string[]): Promise<Map<string, string[]>> {
    const rows: { word: string; term: string }[] = await this.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL pg_trgm.similarity_threshold = 0.35`);
      return manager.query(
        `SELECT w.word, t.term
           FROM unnest($1::text[]) AS w(word)
           CROSS JOIN LATERAL (
             SELECT term FROM "catalog"."search_term"
              WHERE term % w.word
              ORDER BY similarity(term, w.word) DESC, term
              LIMIT 3
           ) t
          WHERE NOT EXISTS (SELECT 1 FROM "catalog"."search_term" s WHERE s.term = w.word)`,
        [words],
      );
    });
    const corrections = new Map<string, string[]>();
    for (const row of rows) {
      corrections.set(row.word, [...(corrections.get(row.word) ?? []), row.term]);
    }
    return corrections;
  }

  /** Words the vocabulary holds, so a query can drop words that match nothing at all. */
  async knownWords(words: string[]): Promise<Set<string>> {
    const rows: { term: string }[] = await this.dataSource.query(
      `SELECT term FROM "catalog"."search_term" WHERE term = ANY($1::text[])`,
      [words],
    );
    return new Set(rows.map((row) => row.term));
  }

  /**
   * Full-text matches on the stored document (GIN), plus exact name matches, ranked by weighted cover
   * density (name words weigh most), an exact-name bonus and a preference for shorter names.
   */
  async searchDatasets(
    textQuery: string,
    exactNames: string[],
    after: { score: number; id: string } | null,
    limit: number,
  ): Promise<{ rows: DatasetSearchRow[]; totalCount: number }> {
    return this.dataSource.transaction('READ COMMITTED', async (manager: EntityManager) => {
      const rows: DatasetSearchRow[] = await manager.query(
        `WITH q AS (SELECT to_tsquery('simple', $1) || to_tsquery('english', $1) AS query),
         candidates AS (
           (SELECT d.id FROM "catalog"."dataset" d
             WHERE lower(d.name) = ANY($2::text[]) AND d.removed_at IS NULL LIMIT 50)
           UNION
           (SELECT d.id FROM "catalog"."dataset" d, q
             WHERE d.search_document @@ q.query AND d.removed_at IS NULL LIMIT ${SEARCH_CANDIDATES})
         ),
         ranked AS (
           SELECT d.id, d.platform, d.instance, d.database, d.schema, d.name, d.kind, d.description,
                  d.description_source, d.sources, d.first_seen_at, d.last_seen_at, d.removed_at,
                  (ts_rank_cd(d.search_document, q.query, 1) * 4
                   + CASE WHEN lower(d.name) = ANY($2::text[]) THEN 2 ELSE 0 END
                   + 1.0 / (1 + length(d.name)))::float8 AS score
             FROM candidates c JOIN "catalog"."dataset" d ON d.id = c.id, q
         )
         SELECT * FROM ranked
          WHERE ($3::float8 IS NULL OR (score, id) < ($3::float8, $4::text))
          ORDER BY score DESC, id DESC
          LIMIT $5`,
        [textQuery, exactNames, after?.score ?? null, after?.id ?? null, limit],
      );
      const [{ total }] = (await manager.query(
        `SELECT count(*)::int AS total FROM (
           SELECT 1 FROM "catalog"."dataset" d
            WHERE (d.search_document @@ (to_tsquery('simple', $1) || to_tsquery('english', $1)) OR lower(d.name) = ANY($2::text[]))
              AND d.removed_at IS NULL
            LIMIT ${SEARCH_COUNT_CAP}) matches`,
        [textQuery, exactNames],
      )) as [{ total: number }];
      return { rows, totalCount: total };
    });
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
