import { Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * The vocabulary of dataset names and descriptions, one row per distinct word. Typos are corrected
 * against it (a trigram lookup on tens of thousands of words), not against a million names.
 */
@Entity({ name: 'search_term' })
@Index('search_term_trigram_idx', { synchronize: false })
export class SearchTermEntity {
  @PrimaryColumn({ type: 'text' })
  term: string;
}
