import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'webhook_subscription' })
export class WebhookSubscriptionEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'text' })
  url: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** Empty means every event type. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  eventTypes: string[];

  /** Glob on the CloudEvents subject (`*` matches any run of characters); null means any subject. */
  @Column({ type: 'text', nullable: true })
  subjectFilter: string | null;

  /** AES-256-GCM ciphertext of the signing secret: it is needed in clear to sign, so it cannot be hashed. */
  @Column({ type: 'text' })
  secretCiphertext: string;

  @Column({ type: 'text' })
  secretHint: string;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Column({ type: 'text', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
