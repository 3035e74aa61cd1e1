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

/**
 * Builds a to_tsquery expression: every query word must match, as itself or as one of the close terms
 * from the vocabulary (typo correction); the last word also matches as a prefix, for search-as-you-type.
 * Words are letters and digits only, so nothing in them is tsquery syntax.
 */
export function buildTextQuery(words: string[], corrections: Map<string, string[]>): string {
  return words
    .map((word, index) => {
      const alternatives = new Set<string>([word, ...(corrections.get(word) ?? [])]);
      const terms = [...alternatives].map((term) => (index === words.length - 1 && term.length >= 3 ? `${term}:*` : term));
      return terms.length === 1 ? terms[0]! : `(${terms.join(' | ')})`;
    })
    .join(' & ');
}
