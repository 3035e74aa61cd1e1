import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export interface HexProjectSearchRow {
  id: string;
  title: string;
  description: string | null;
  url: string;
  score: number;
}

/** The Hex projects search can find, kept from the hex events. */
@Injectable()
export class HexProjectDocumentsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One statement for the batch; the last row per project wins, an older event never overwrites a newer one. */
  async upsert(
    manager: EntityManager,
    rows: {
      id: string;
      connectionId: string;
      title: string;
      description: string | null;
      tags: string[];
      url: string;
      updatedAt: Date;
    }[],
  ): Promise<void> {
    const latest = new Map(rows.map((row) => [row.id, row]));
    if (latest.size === 0) return;
    await manager.query(
      `INSERT INTO "catalog"."hex_project_document" ("id", "connection_ids", "title", "description", "tags", "url", "updated_at", "removed_at")
       SELECT r."id", ARRAY[r."connectionId"], r."title", r."description",
              ARRAY(SELECT jsonb_array_elements_text(r."tags")), r."url", r."updatedAt", NULL
         FROM jsonb_to_recordset($1::jsonb)
           AS r("id" text, "connectionId" text, "title" text, "description" text, "tags" jsonb, "url" text, "updatedAt" timestamptz)
       ON CONFLICT ("id") DO UPDATE SET
         "connection_ids" = array(SELECT DISTINCT unnest("hex_project_document"."connection_ids" || EXCLUDED."connection_ids") ORDER BY 1),
         "title" = EXCLUDED."title", "description" = EXCLUDED."description", "tags" = EXCLUDED."tags",
         "url" = EXCLUDED."url", "updated_at" = EXCLUDED."updated_at", "removed_at" = NULL
       WHERE "hex_project_document"."updated_at" <= EXCLUDED."updated_at"`,
      [JSON.stringify([...latest.values()])],
    );
  }

  /** Takes the connection off the project; the project leaves search when no connection lists it any more. */
  async remove(
    manager: EntityManager,
    rows: { id: string; connectionId: string; removedAt: Date }[],
  ): Promise<void> {
    for (const row of rows) {
      await manager.query(
        `UPDATE "catalog"."hex_project_document"
            SET "connection_ids" = array_remove("connection_ids", $2::text), "updated_at" = $3,
                "removed_at" = CASE WHEN cardinality(array_remove("connection_ids", $2::text)) = 0 THEN $3 ELSE "removed_at" END
          WHERE "id" = $1 AND "updated_at" <= $3`,
        [row.id, row.connectionId, row.removedAt],
      );
    }
  }

  /** Ranked like datasets: weighted cover density (title words weigh most) and an exact-title bonus. */
  async search(options: {
    textQuery: string;
    exactTitle: string;
    after: { score: number; id: string } | null;
    limit: number;
  }): Promise<{ rows: HexProjectSearchRow[]; totalCount: number }> {
    const rows: (HexProjectSearchRow & { total: number })[] = await this.dataSource.query(
      `WITH q AS (SELECT to_tsquery('simple', $1) AS query),
       ranked AS (
         SELECT h.id, h.title, h.description, h.url,
                (ts_rank_cd(h.search_document, q.query, 1) * 4
                 + CASE WHEN lower(h.title) = $2 THEN 2 ELSE 0 END
                 + 1.0 / (1 + length(h.title)))::float8 AS score
           FROM "catalog"."hex_project_document" h, q
          WHERE h.search_document @@ q.query AND h.removed_at IS NULL
          LIMIT 300
       )
       SELECT *, (SELECT count(*)::int FROM ranked) AS total FROM ranked
        WHERE ($3::float8 IS NULL OR (score, id) < ($3::float8, $4::text))
        ORDER BY score DESC, id DESC
        LIMIT $5`,
      [
        options.textQuery,
        options.exactTitle,
        options.after?.score ?? null,
        options.after?.id ?? null,
        options.limit,
      ],
    );
    return { rows, totalCount: rows[0]?.total ?? 0 };
  }
}
