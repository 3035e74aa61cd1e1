// Pure helpers that remove credentials from text before it reaches an error message, a log line or a
// metric label. Vendor tokens must never leave the process through those channels (DESIGN §5).

export const REDACTED = '[redacted]';

// Shorter values are not credentials in practice, and replacing one or two characters everywhere would make
// every message unreadable.
const MINIMUM_SECRET_LENGTH = 3;

// A parameter or header whose name contains one of these words carries a credential.
const SENSITIVE_NAME_PATTERN =
  /token|secret|passw|pwd|signature|credential|api[-_]?key|access[-_]?key|private[-_]?key|auth|session|cookie/i;
// Names that are credentials only when they are the whole name (`key=...` yes, `sort_key=...` no).
const SENSITIVE_EXACT_NAMES = new Set(['key', 'sig', 'code', 'x-api-key', 'apikey', 'pass']);

export function isSensitiveName(name: string): boolean {
  const lowerCaseName = name.trim().toLowerCase();
  return SENSITIVE_EXACT_NAMES.has(lowerCaseName) || SENSITIVE_NAME_PATTERN.test(lowerCaseName);
}

export const isSensitiveHeaderName = isSensitiveName;
export const isSensitiveParameterName = isSensitiveName;

// `Bearer <token>` and friends. The credential must look like one (contain a digit, or be long) so that
// prose such as "Token expired" stays readable.
const AUTHORIZATION_SCHEME_PATTERN =
  /\b(Bearer|Basic|Token|Digest|Bot)(\s+)(?=[A-Za-z0-9._~+/-]{8,})(?=\S*\d|[A-Za-z0-9._~+/-]{20,})[A-Za-z0-9._~+/-]+=*/gi;

const SENSITIVE_WORDS =
  '[a-z0-9_.-]*(?:token|secret|passw|pwd|signature|credential|api[-_]?key|access[-_]?key|private[-_]?key|authorization|cookie)[a-z0-9_.-]*';
// Short generic names are credentials only in `name=value` form: `key=abc` is, "error code: 500" is not.
const SHORT_SENSITIVE_WORDS = 'key|sig|code|apikey|pass';
const VALUE = `[^&\\s"',;}\\])]+`;
const PREFIX = `(^|[?&;,\\s"'{(\\[])`;

// `token=abc`, `&api_key=abc`, `password: abc` in query strings, form bodies and log-like text. An error name such
// as `ExpiredTokenException: The security token…` is a name, not a credential, so its message stays readable.
const NOT_AN_ERROR_NAME = '(?![a-z0-9_.-]*(?:exception|error)(?![a-z0-9_.-]))';
const KEY_VALUE_PATTERN = new RegExp(
  `${PREFIX}${NOT_AN_ERROR_NAME}(${SENSITIVE_WORDS})(\\s*[=:]\\s*)(?!")(${VALUE})`,
  'gi',
);
const SHORT_KEY_VALUE_PATTERN = new RegExp(`${PREFIX}(${SHORT_SENSITIVE_WORDS})(=)(${VALUE})`, 'gi');

// `"password": "abc"` in JSON bodies.
const JSON_PROPERTY_PATTERN = new RegExp(
  `("(?:${SENSITIVE_WORDS})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`,
  'gi',
);

function replaceKeyValue(
  match: string,
  prefix: string,
  name: string,
  separator: string,
  value: string,
): string {
  return value === REDACTED || value.startsWith('[redacted')
    ? match
    : `${prefix}${name}${separator}${REDACTED}`;
}

function escapeRegularExpression(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function secretVariants(secret: string): string[] {
  const variants = new Set([secret]);
  // A secret sent in a URL or a form body shows up percent-encoded in echoed text.
  variants.add(encodeURIComponent(secret));
  variants.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  // A secret embedded in a JSON string shows up with its quotes and backslashes escaped.
  variants.add(JSON.stringify(secret).slice(1, -1));
  return [...variants];
}

/**
 * Replaces every occurrence of the given secrets (and their URL- and JSON-encoded forms) with `[redacted]`,
 * then removes credentials recognisable by their shape: `Bearer …`, `token=…`, `"password": "…"`.
 * Pure: the same input always gives the same output.
 */
export function redactSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let result = text;
  const variants = secrets
    .filter(
      (secret): secret is string => typeof secret === 'string' && secret.length >= MINIMUM_SECRET_LENGTH,
    )
    .flatMap(secretVariants)
    // Longest first, so a secret that contains another one is removed whole.
    .sort((left, right) => right.length - left.length);
  for (const variant of variants) {
    result = result.replace(new RegExp(escapeRegularExpression(variant), 'g'), REDACTED);
  }
  return result
    .replace(AUTHORIZATION_SCHEME_PATTERN, `$1$2${REDACTED}`)
    .replace(JSON_PROPERTY_PATTERN, `$1${REDACTED}$3`)
    .replace(KEY_VALUE_PATTERN, replaceKeyValue)
    .replace(SHORT_KEY_VALUE_PATTERN, replaceKeyValue);
}

const RELATIVE_BASE = 'http://relative.invalid';

/**
 * Returns the URL with user info and sensitive query parameters (`token`, `key`, `secret`, `password`,
 * `signature`, `X-Amz-Signature`, …) replaced by `[redacted]`. Relative URLs stay relative.
 */
export function redactUrl(url: string | URL, secrets: readonly (string | null | undefined)[] = []): string {
  const text = url.toString();
  let parsed: URL;
  try {
    parsed = new URL(text, RELATIVE_BASE);
  } catch {
    return redactSecrets(text, secrets);
  }
  const isRelative = parsed.origin === RELATIVE_BASE && !text.startsWith(RELATIVE_BASE);
  const userInfo = parsed.username || parsed.password ? `${REDACTED}@` : '';
  const origin = isRelative ? '' : `${parsed.protocol}//${userInfo}${parsed.host}`;
  const parameters = [...parsed.searchParams].map(([name, value]) =>
    isSensitiveParameterName(name)
      ? `${encodeURIComponent(name)}=${REDACTED}`
      : `${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
  );
  const query = parameters.length > 0 ? `?${parameters.join('&')}` : '';
  const fragment = parsed.hash
    ? redactSecrets(parsed.hash.replace(/^#/, '#&'), secrets).replace('#&', '#')
    : '';
  return redactSecrets(`${origin}${parsed.pathname}${query}`, secrets) + fragment;
}

/** Returns the path of a URL without query string or fragment, with registered secrets removed. */
export function redactedPath(
  url: string | URL,
  secrets: readonly (string | null | undefined)[] = [],
): string {
  const parsed = new URL(url.toString(), RELATIVE_BASE);
  return redactSecrets(parsed.pathname, secrets);
}

/** Returns a copy of the headers with the values of credential-carrying headers replaced by `[redacted]`. */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
  secrets: readonly (string | null | undefined)[] = [],
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    result[name] = isSensitiveHeaderName(name) ? REDACTED : redactSecrets(text, secrets);
  }
  return result;
}

/** Returns the first `maximumLength` characters of the text, with secrets removed and whitespace collapsed. */
export function redactedExcerpt(
  text: string,
  secrets: readonly (string | null | undefined)[] = [],
  maximumLength = 300,
): string {
  // Redact before cutting, so a secret cut in half at the boundary is still recognised.
  const redacted = redactSecrets(text, secrets).replace(/\s+/g, ' ').trim();
  return redacted.length > maximumLength ? `${redacted.slice(0, maximumLength)}…` : redacted;
}
