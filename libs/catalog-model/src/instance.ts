import { identifierRules } from './identifier-rules.js';
import type { Platform } from './platform.js';

/** The instance of a dataset whose connection does not say which server it lives on. */
export const DEFAULT_INSTANCE = 'default';

/** Characters an instance keeps as they are; everything else is percent-encoded so the id stays parseable. */
const instanceCharacter = /[a-z0-9._~:[\]-]/;

const snowflakeHostSuffix = /\.(?:privatelink\.)?snowflakecomputing\.(?:com|cn)$/;
const awsRegion = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;

/**
 * Canonical form of the server part of a dataset id, so that every way a connection spells its server
 * (`https://Host:443/path`, `host`, `user@host:5432`) gives one instance:
 *
 * - blank → `default`; BigQuery → always `default`, because a project id (the first name part) is already
 *   globally unique and a table read through two billing projects must keep one id;
 * - lower-cased (host names and Snowflake account locators are case-insensitive);
 * - a URL scheme (`https://`, `jdbc:postgresql://`), user info (`user:password@`, never put into an id), a path,
 *   query or fragment, and a trailing dot are removed;
 * - the platform's default ports are removed (a server answers the same on `host` and `host:5432`);
 * - Snowflake: the `.snowflakecomputing.com` (and `.privatelink`) suffix is removed, leaving the account
 *   identifier, e.g. `xy12345.us-east-1` or `myorg-myaccount`;
 * - Athena: a bare AWS region becomes its endpoint host `athena.<region>.amazonaws.com`;
 * - any remaining character outside `a-z 0-9 . _ ~ : [ ] -` is percent-encoded (UTF-8, upper-case hex).
 */
export function normalizeInstance(platform: Platform, instance: string | null | undefined): string {
  if (platform === 'bigquery') return DEFAULT_INSTANCE;
  let text = (instance ?? '').trim().toLowerCase();
  text = text.replace(/^(?:jdbc:)?[a-z][a-z0-9+.-]*:\/\//, '');
  // User info goes first: a password may itself contain `/` or `?`, and no part of it may reach an id.
  const userInfoEnd = text.lastIndexOf('@');
  if (userInfoEnd >= 0) text = text.slice(userInfoEnd + 1);
  text = text.replace(/[/?#].*$/s, '');
  text = stripDefaultPort(text, identifierRules(platform).defaultPorts);
  text = text.replace(/\.+$/, '');
  if (platform === 'snowflake') text = text.replace(snowflakeHostSuffix, '');
  if (platform === 'athena' && awsRegion.test(text)) text = `athena.${text}.amazonaws.com`;
  if (text === '') return DEFAULT_INSTANCE;
  return encodeInstance(text);
}

function stripDefaultPort(text: string, defaultPorts: readonly number[]): string {
  const match = /^(.*):(\d{1,5})$/.exec(text);
  if (!match) return text;
  const host = match[1]!;
  // An unbracketed IPv6 address ends in ":<digits>" without having a port at all.
  if (host.includes(':') && !(host.startsWith('[') && host.endsWith(']'))) return text;
  const port = Number(match[2]);
  if (defaultPorts.includes(port)) return host;
  // Keep the port, but written without leading zeros so `host:05432` and `host:5432` agree.
  return `${host}:${port}`;
}

function encodeInstance(text: string): string {
  let encoded = '';
  for (const character of text) {
    if (instanceCharacter.test(character)) {
      encoded += character;
    } else {
      for (const byte of new TextEncoder().encode(character)) {
        encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
      }
    }
  }
  return encoded;
}

/** Reverses the percent-encoding of an instance taken from an id; throws `URIError` on a broken escape. */
export function decodeInstance(text: string): string {
  return decodeURIComponent(text);
}
