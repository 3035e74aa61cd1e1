// Hex hosts, token kinds and app URLs (research/hex.md §1.1, §1.2, §1.9). Pure.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const HEX_CLOUD_HOST = 'https://app.hex.tech';

export type HexTokenType = 'personal' | 'workspace' | 'unknown';

/** `hxtp_` personal access tokens act as their user; `hxtw_` workspace tokens see the workspace. */
export function hexTokenType(token: string): HexTokenType {
  if (token.startsWith('hxtp_')) return 'personal';
  if (token.startsWith('hxtw_')) return 'workspace';
  return 'unknown';
}

/** Normalises a host (`https://app.hex.tech/`, a single-tenant URL): no trailing `/`, no `/api/v1`. */
export function normaliseHexHost(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new RangeError(`host must be a URL such as ${HEX_CLOUD_HOST}, got "${value.trim().slice(0, 100)}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new RangeError('host must be an http(s) URL');
  if (url.username || url.password) throw new RangeError('host must not carry credentials');
  if (url.search || url.hash) throw new RangeError('host must not hold a query string or fragment');
  const path = url.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/** The API base of a host: host + `/api/v1`. */
export function hexApiBaseUrl(host: string): string {
  return `${normaliseHexHost(host)}/api/v1`;
}

/**
 * Hex's base62 project id: the 16 bytes of the UUID as one big-endian integer, alphabet `0-9A-Za-z`,
 * left-padded with `0` to 22 characters. Ids that are not UUIDs are returned unchanged.
 */
export function hexBase62Id(id: string): string {
  if (!UUID.test(id)) return id;
  let value = BigInt(`0x${id.replace(/-/g, '')}`);
  let text = '';
  while (value > 0n) {
    text = BASE62[Number(value % 62n)] + text;
    value /= 62n;
  }
  return text.padStart(22, '0');
}

/** `https://<host>/<workspace>/app/<id>` once published (viewers can open it), else `/hex/` (the editor). */
export function hexProjectUrl(host: string, workspaceSlug: string, id: string, published: boolean): string {
  return `${normaliseHexHost(host)}/${encodeURIComponent(workspaceSlug)}/${published ? 'app' : 'hex'}/${hexBase62Id(id)}`;
}
