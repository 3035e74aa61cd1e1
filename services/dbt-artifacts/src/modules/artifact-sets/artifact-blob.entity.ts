import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One artifact file, content-addressed by the sha256 of its JSON text (after any upload gzip is removed),
 * so `manifest.json` and `manifest.json.gz` of one run are one blob. Its bytes live, gzip-compressed, in
 * `artifact_blob_chunk`: Postgres is the one store every API and worker pod already shares.
 */
@Entity({ name: 'artifact_blob' })
export class ArtifactBlobEntity {
  @PrimaryColumn({ type: 'text' })
  sha256: string;

  /** manifest, catalog, run_results, sources or semantic_manifest, as sniffed at upload. */
  @Column({ type: 'text' })
  kind: string;

  /** Bytes of the JSON text. */
  @Column({ type: 'bigint' })
  size: string;

  /** Bytes stored (gzip). */
  @Column({ type: 'bigint' })
  storedSize: string;

  @Column({ type: 'integer' })
  chunkCount: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
