import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Engine query ids of history rows inside the overlap of the next read (started after watermark − overlap),
 * so a row read twice is counted once. Older ids are deleted: the next read never reaches them. For
 * aggregated sources (pg_stat_statements) `calls` is the cumulative count last read.
 */
@Entity({ name: 'history_seen' })
export class HistorySeenEntity {
  @PrimaryColumn({ type: 'uuid' })
  connectionId: string;

  @PrimaryColumn({ type: 'text' })
  queryId: string;

  @Column({ type: 'timestamptz' })
  startedAt: Date;

  @Column({ type: 'bigint', nullable: true })
  calls: string | null;
}
