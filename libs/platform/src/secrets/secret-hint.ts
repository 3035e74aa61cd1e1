// The only part of a stored credential any API returns (DESIGN §5), so a user can tell which token is
// configured without anyone being able to read it back.

/** Below this length the last four characters are too large a share of the secret to show. */
export const MINIMUM_HINTED_SECRET_LENGTH = 12;

const HINT_LENGTH = 4;

/** `…9f3a` for a secret of 12 characters or more; undefined for shorter (or empty) secrets. */
export function secretHint(plain: string | null | undefined): string | undefined {
  if (!plain) return undefined;
  // Code points, not UTF-16 units, so a hint never ends in half a character.
  const characters = Array.from(plain.trim());
  if (characters.length < MINIMUM_HINTED_SECRET_LENGTH) return undefined;
  return `…${characters.slice(-HINT_LENGTH).join('')}`;
}
