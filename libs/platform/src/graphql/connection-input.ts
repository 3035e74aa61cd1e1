import { badUserInput } from './errors.js';

// Input checks every connection-managing service (dbt Cloud, warehouse, Hex, buckets, semantic layer) shares.

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are uuids; anything else cannot name a row, so it is "not found" without asking Postgres. */
export function isUuid(id: string): boolean {
  return UUID_PATTERN.test(id);
}

/** A connection's display name: trimmed, 1 to 200 characters. */
export function checkConnectionName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) {
    throw badUserInput('name must have 1 to 200 characters', { argument: 'name' });
  }
  return trimmed;
}
