import { Entity, Index, PrimaryColumn } from 'typeorm';

/** A first-order dependency between two resources of one project (`depends_on.nodes`). */
@Entity({ name: 'edge' })
@Index('edge_parent_idx', ['projectId', 'parentId'])
export class DbtEdgeEntity {
  @PrimaryColumn({ type: 'uuid' })
  projectId: string;

  @PrimaryColumn({ type: 'text' })
  childId: string;

  @PrimaryColumn({ type: 'text' })
  parentId: string;
}
