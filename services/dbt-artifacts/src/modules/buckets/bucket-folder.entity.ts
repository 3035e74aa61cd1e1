import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a connection has ingested per folder: the fingerprint (keys + ETags/generations) it last saw. */
@Entity({ name: 'bucket_folder' })
export class BucketFolderEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  folder: string;

  @Column({ type: 'text' })
  fingerprint: string;

  @Column({ type: 'uuid', nullable: true })
  artifactSetId: string | null;

  @Column({ type: 'timestamptz' })
  seenAt: Date;
}
