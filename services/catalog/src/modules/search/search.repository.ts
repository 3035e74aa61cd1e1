import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { datasetSearchDocument, datasetTrigramText } from './search-document.js';

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
  total: string;
}

/** Candidates come from two index scans (full text, trigram), so the query stays fast on millions of rows. */
@Injectable()
export class SearchRepository {
  constructor(private readonly dataSource: DataSource) {}

  async searchDatasets(
    query: string,
    after: { score: number; id: string } | null,
    limit: number,
  ): Promise<DatasetSearchRow[]> {
    // Candidate sets are capped: past a few thousand matches, ranking more only costs time.
    const candidateCap = 2_000;
    const document = datasetSearchDocument((name) => `d."${name}"`);
    const trigramText = datasetTrigramText((name) => `d."${name}"`);
    return this.dataSource.transaction(async (manager) => {
      // Word similarity finds "custmers" in "dim_customers"; 0.45 keeps noise out on short terms.
      await manager.query(`SET LOCAL pg_trgm.word_similarity_threshold = 0.45`);
      return manager.query(
        `WITH query AS (
           SELECT websearch_to_tsquery('simple', $1) || websearch_to_tsquery('english', $1) AS text_query,
                  lower($1) AS text
         ),
         candidates AS (
           (SELECT d.id FROM "catalog"."dataset" d, query q
             WHERE ${document} @@ q.text_query AND d.removed_at IS NULL
             LIMIT ${candidateCap})
           UNION
           (SELECT d.id FROM "catalog"."dataset" d, query q
             WHERE q.text <% ${trigramText} AND d.removed_at IS NULL
             LIMIT ${candidateCap})
         ),
         ranked AS (
           SELECT d.*,
                  -- A document matching every query word outranks a merely similar name.
                  (CASE WHEN ${document} @@ q.text_query THEN 1 ELSE 0 END
                   + ts_rank_cd(${document}, q.text_query) * 2
                   + word_similarity(q.text, ${trigramText})
                   + CASE WHEN lower(d.name) = q.text THEN 1 ELSE 0 END)::float8 AS score
             FROM candidates c
             JOIN "catalog"."dataset" d ON d.id = c.id, query q
         )
         SELECT *, (SELECT count(*) FROM ranked) AS total FROM ranked
          WHERE ($2::float8 IS NULL OR (score, id) < ($2::float8, $3::text))
          ORDER BY score DESC, id DESC
          LIMIT $4`,
        [query, after?.score ?? null, after?.id ?? null, limit],
      );
    });
  }
}
