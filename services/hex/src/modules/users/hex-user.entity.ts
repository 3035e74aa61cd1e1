import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A user of the Hex workspace, as `/users` lists them: owners are matched to these by email. */
@Entity({ name: 'hex_user' })
export class HexUserEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  id: string;

  /** Lower case. */
  @Column({ type: 'text' })
  email: string;

  @Column({ type: 'text', nullable: true })
  name: string | null;

  @Column({ type: 'text', nullable: true })
  role: string | null;
}
