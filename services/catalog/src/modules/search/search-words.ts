/** The words of a name or query: lower-case runs of letters and digits, 2 to 40 characters. */
export function searchWords(text: string, limit = 8): string[] {
  const words: string[] = [];
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    const word = match[0];
    if (word.length >= 2 && word.length <= 40 && !words.includes(word)) {
      words.push(word);
      if (words.length === limit) {
        break;
      }
    }
  }
  return words;
}

export interface AnalysedWord {
  word: string;
  /** The vocabulary holds the word as it is. */
  known: boolean;
  /** English stems (descriptions are indexed stemmed). */
  stems: string[];
  /** Close vocabulary terms, for words the vocabulary does not hold. */
  corrections: string[];
}

/**
 * Builds a to_tsquery('simple', …) expression: every word must match, as itself, its English stem, or a
 * close vocabulary term (typo correction). The last word, when it is not a known word, also matches as a
 * prefix (search as you type). Words are letters and digits only, so nothing in them is tsquery syntax.
 */
export function buildTextQuery(words: AnalysedWord[], match: 'all' | 'any' = 'all'): string {
  return words
    .map((analysed, index) => {
      const prefix = index === words.length - 1 && !analysed.known && analysed.word.length >= 3;
      const terms = new Set<string>([prefix ? `${analysed.word}:*` : analysed.word]);
      for (const stem of analysed.stems) {
        terms.add(stem);
      }
      for (const correction of analysed.corrections) {
        terms.add(correction);
      }
      const list = [...terms];
      return list.length === 1 ? list[0]! : `(${list.join(' | ')})`;
    })
    .join(match === 'all' ? ' & ' : ' | ');
}

/** A query that looks like (the start of) a table name: one token of letters, digits and underscores. */
export function isIdentifierLike(text: string): boolean {
  return /^[\p{L}\p{N}_]{3,}$/u.test(text);
}
