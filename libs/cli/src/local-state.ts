import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { generateKey } from '@cartograph/platform/secrets';
import { repositoryRoot } from './service-registry.js';

export interface LocalSecrets {
  internalSecret: string;
  encryptionKey: string;
}

/**
 * Embedded data and generated local secrets: CARTOGRAPH_HOME when set (tests use a temporary directory),
 * else `.cartograph/` at the repository root (git-ignored).
 */
export function localStateDirectory(): string {
  const directory = process.env.CARTOGRAPH_HOME || join(repositoryRoot(), '.cartograph');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  return directory;
}

/**
 * Secrets for a local run, generated once and kept, so restarts can still decrypt stored credentials.
 * Production sets CARTOGRAPH_INTERNAL_SECRET and CARTOGRAPH_ENCRYPTION_KEY instead.
 */
export function localSecrets(): LocalSecrets {
  const path = join(localStateDirectory(), 'secrets.json');
  if (existsSync(path)) {
    return JSON.parse(readFileSync(path, 'utf8')) as LocalSecrets;
  }
  const secrets: LocalSecrets = {
    internalSecret: randomBytes(32).toString('base64url'),
    encryptionKey: generateKey(),
  };
  writeFileSync(path, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function localAdminKeyPath(): string {
  return join(localStateDirectory(), 'admin.key');
}

export function readLocalAdminKey(): string | null {
  const path = localAdminKeyPath();
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : null;
}
