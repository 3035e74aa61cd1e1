import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A dataset id interned as a number: edges join on 8-byte keys instead of 60-byte ids, which keeps a
 * 5-hop traversal over a million edges inside the index.
 */
@Entity({ name: 'lineage_node' })
export class LineageNodeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'text', unique: true })
  datasetId: string;
}
