import { Injectable } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { DataSource, type EntityManager } from 'typeorm';

/** Stored chunk size: large enough for few round trips, small enough to stream a multi-GB blob. */
export const BLOB_CHUNK_BYTES = 4 * 1024 * 1024;

export interface SpooledBlob {
  sha256: string;
  kind: string;
  /** Bytes of the JSON text. */
  size: number;
  /** A local file holding the JSON text. */
  path: string;
}

/** Content-addressed artifact bytes in Postgres (gzip, chunked); only this file speaks SQL to them. */
@Injectable()
export class ArtifactBlobRepository {
  constructor(private readonly dataSource: DataSource) {}

  async existing(manager: EntityManager, sha256s: string[]): Promise<Set<string>> {
    if (sha256s.length === 0) return new Set();
    const rows: { sha256: string }[] = await manager.query(
      `SELECT "sha256" FROM "dbt_artifacts"."artifact_blob" WHERE "sha256" = ANY($1)`,
      [sha256s],
    );
    return new Set(rows.map((row) => row.sha256));
  }

  /** Stores a spooled blob unless it is already there (two uploads of one file race harmlessly). */
  async store(manager: EntityManager, blob: SpooledBlob): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "dbt_artifacts"."artifact_blob" ("sha256", "kind", "size", "stored_size", "chunk_count")
       VALUES ($1, $2, $3, 0, 0) ON CONFLICT ("sha256") DO NOTHING RETURNING "sha256"`,
      [blob.sha256, blob.kind, blob.size],
    );
    if (inserted.length === 0) return false;
    let sequence = 0;
    let storedSize = 0;
    // Level 1: JSON still shrinks about tenfold, at several times the speed of the default level.
    const compressed = createReadStream(blob.path).pipe(createGzip({ level: 1 }));
    let pending: Buffer[] = [];
    let pendingSize = 0;
    const flush = async () => {
      const chunk = Buffer.concat(pending, pendingSize);
      pending = [];
      pendingSize = 0;
      await manager.query(
        `INSERT INTO "dbt_artifacts"."artifact_blob_chunk" ("sha256", "sequence", "data") VALUES ($1, $2, $3)`,
        [blob.sha256, sequence, chunk],
      );
      storedSize += chunk.length;
      sequence += 1;
    };
    for await (const piece of compressed as AsyncIterable<Buffer>) {
      pending.push(piece);
      pendingSize += piece.length;
      if (pendingSize >= BLOB_CHUNK_BYTES) await flush();
    }
    if (pendingSize > 0 || sequence === 0) await flush();
    await manager.query(
      `UPDATE "dbt_artifacts"."artifact_blob" SET "chunk_count" = $2, "stored_size" = $3 WHERE "sha256" = $1`,
      [blob.sha256, sequence, storedSize],
    );
    return true;
  }

  /** The blob's gzip stream, one chunk per query, so memory stays at one chunk whatever the file size. */
  async *read(sha256: string): AsyncGenerator<Buffer> {
    const [blob]: { chunk_count: number }[] = await this.dataSource.query(
      `SELECT "chunk_count" FROM "dbt_artifacts"."artifact_blob" WHERE "sha256" = $1`,
      [sha256],
    );
    if (!blob) {
      throw new Error(`artifact blob ${sha256} is missing`);
    }
    for (let sequence = 0; sequence < blob.chunk_count; sequence += 1) {
      const [row]: { data: Buffer }[] = await this.dataSource.query(
        `SELECT "data" FROM "dbt_artifacts"."artifact_blob_chunk" WHERE "sha256" = $1 AND "sequence" = $2`,
        [sha256, sequence],
      );
      if (!row) {
        throw new Error(`artifact blob ${sha256} is missing chunk ${sequence}`);
      }
      yield row.data;
    }
  }
}
