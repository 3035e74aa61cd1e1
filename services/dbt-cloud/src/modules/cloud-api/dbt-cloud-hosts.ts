import { DbtCloudError } from './dbt-cloud.error.js';

// Where a dbt Cloud account's two APIs live (research/dbt.md §8). Pure: no I/O.
//
// The customer gives us the access URL shown in their account settings. The Admin API is served from it; the
// Discovery API from a sibling `metadata` host, derived as DataHub's `infer_metadata_endpoint` does. Both are
// configurable because single-tenant and VPC deployments do not always follow the pattern.

/** Multi-tenant hosts of the pre-cell era: they answer `401 Invalid token.` to cell-based accounts' tokens. */
const LEGACY_HOSTS: ReadonlySet<string> = new Set([
  'cloud.getdbt.com',
  'emea.dbt.com',
  'au.dbt.com',
  'metadata.cloud.getdbt.com',
  'metadata.emea.dbt.com',
  'metadata.au.dbt.com',
]);

export interface DbtCloudEndpoints {
  /** Origin of the Admin API (the access URL without path or trailing slash): `https://ab123.us1.dbt.com`. */
  adminBaseUrl: string;
  /** Discovery GraphQL endpoint: `https://ab123.metadata.us1.dbt.com/graphql`. */
  discoveryUrl: string;
  /** Whether the access URL is a legacy multi-tenant host (see `isLegacyHost`). */
  legacyHost: boolean;
}

/**
 * Admin and Discovery URLs of an account. `accessUrl` may omit the scheme (https is assumed) and may carry a
 * path (a URL copied from the browser): only its origin is kept. An explicit `discoveryUrl` wins over the
 * derived one. Throws `BAD_USER_INPUT` for anything but an http(s) URL.
 */
export function dbtCloudEndpoints(accessUrl: string, discoveryUrl?: string | null): DbtCloudEndpoints {
  const access = parseHttpUrl(accessUrl, 'access URL');
  const explicitDiscovery = discoveryUrl?.trim()
    ? parseHttpUrl(discoveryUrl, 'Discovery API URL')
    : undefined;
  return {
    adminBaseUrl: access.origin,
    discoveryUrl: explicitDiscovery ? explicitDiscoveryUrl(explicitDiscovery) : deriveDiscoveryUrl(access),
    legacyHost: LEGACY_HOSTS.has(access.hostname.toLowerCase()),
  };
}

/** The Discovery endpoint derived from an access URL (research §8). */
export function discoveryUrlFor(accessUrl: string): string {
  return deriveDiscoveryUrl(parseHttpUrl(accessUrl, 'access URL'));
}

/** Whether a URL points at a legacy multi-tenant host (cloud.getdbt.com, emea.dbt.com, au.dbt.com). */
export function isLegacyHost(url: string): boolean {
  try {
    return LEGACY_HOSTS.has(parseHttpUrl(url, 'URL').hostname.toLowerCase());
  } catch {
    return false;
  }
}

function deriveDiscoveryUrl(access: URL): string {
  const host = access.hostname.toLowerCase();
  const port = access.port ? `:${access.port}` : '';
  let discoveryHost: string;
  if (host.endsWith('.getdbt.com') || host === 'emea.dbt.com' || host === 'au.dbt.com') {
    discoveryHost = `metadata.${host}`;
  } else if (/^[^.]+\.[^.]+\.dbt\.com$/.test(host)) {
    // Cell-based: ACCOUNT_PREFIX.<cell>.dbt.com → ACCOUNT_PREFIX.metadata.<cell>.dbt.com.
    const [prefix, rest] = splitOnce(host);
    discoveryHost = `${prefix}.metadata.${rest}`;
  } else if (isIpAddressOrLocalhost(host)) {
    // `metadata.127.0.0.1` can never resolve: a local server (a proxy, the test fake) serves both APIs.
    discoveryHost = access.hostname;
  } else {
    discoveryHost = `metadata.${host}`;
  }
  return `${access.protocol}//${discoveryHost}${port}/graphql`;
}

function parseHttpUrl(value: string, what: string): URL {
  const text = value.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DbtCloudError(
      'BAD_USER_INPUT',
      `The dbt Cloud ${what} is not a valid URL: ${JSON.stringify(value)}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DbtCloudError(
      'BAD_USER_INPUT',
      `The dbt Cloud ${what} must start with https:// (got ${url.protocol.replace(/:$/, '')})`,
    );
  }
  if (url.username || url.password) {
    throw new DbtCloudError('BAD_USER_INPUT', `The dbt Cloud ${what} must not contain credentials`);
  }
  return url;
}

/** A configured Discovery URL, trailing slash removed; a bare host gets the `/graphql` path. */
function explicitDiscoveryUrl(url: URL): string {
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.origin}${path === '' ? '/graphql' : path}${url.search}`;
}

function splitOnce(host: string): [string, string] {
  const dot = host.indexOf('.');
  return [host.slice(0, dot), host.slice(dot + 1)];
}

function isIpAddressOrLocalhost(host: string): boolean {
  return host === 'localhost' || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}
