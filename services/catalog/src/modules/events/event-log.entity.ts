import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Recent events, for the `events` query; pruned after EVENT_LOG_RETENTION_DAYS. */
@Entity({ name: 'event_log' })
@Index('event_log_time_idx', ['time', 'id'])
export class EventLogEntity {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'text' })
  type: string;

  @Column({ type: 'text' })
  source: string;

  @Column({ type: 'text' })
  subject: string;

  @Column({ type: 'timestamptz' })
  time: Date;

  @Column({ type: 'jsonb' })
  data: unknown;
}
