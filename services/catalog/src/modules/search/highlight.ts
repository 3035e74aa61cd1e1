const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character]!);
}

function trigrams(word: string): Set<string> {
  const padded = `  ${word.toLowerCase()} `;
  const result = new Set<string>();
  for (let index = 0; index + 3 <= padded.length; index += 1) {
    result.add(padded.slice(index, index + 3));
  }
  return result;
}

function similarity(left: string, right: string): number {
  const a = trigrams(left);
  const b = trigrams(right);
  let shared = 0;
  for (const gram of a) {
    if (b.has(gram)) {
      shared += 1;
    }
  }
  return shared / (a.size + b.size - shared);
}

/**
 * Marks the words of `text` that match a query term exactly, by prefix, or closely enough by trigram
 * similarity (so a misspelled query still shows where it matched). Pure, so it is unit-tested.
 */
export function highlight(text: string, query: string, threshold = 0.3): string | null {
  const terms = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((term) => term.length > 1);
  if (terms.length === 0) {
    return null;
  }
  let matched = false;
  const parts = text.split(/([\p{L}\p{N}]+)/u);
  const marked = parts.map((part, index) => {
    if (index % 2 === 0) {
      return escapeHtml(part);
    }
    const word = part.toLowerCase();
    const hit = terms.some(
      (term) => word === term || word.startsWith(term) || similarity(word, term) >= threshold,
    );
    if (hit) {
      matched = true;
      return `<mark>${escapeHtml(part)}</mark>`;
    }
    return escapeHtml(part);
  });
  return matched ? marked.join('') : null;
}
