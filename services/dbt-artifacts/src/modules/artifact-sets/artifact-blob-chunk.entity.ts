import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A slice of a blob's gzip stream, small enough to read and write without holding the whole file. */
@Entity({ name: 'artifact_blob_chunk' })
export class ArtifactBlobChunkEntity {
  @PrimaryColumn({ type: 'text' })
  sha256: string;

  @PrimaryColumn({ type: 'integer' })
  sequence: number;

  @Column({ type: 'bytea' })
  data: Buffer;
}
