import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root, found from this file whether it runs from src (Jest) or dist. */
export function repositoryRoot(): string {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'bin', 'cartograph.js'))) {
    const parent = dirname(directory);
    if (parent === directory) {
      throw new Error('Cannot find the repository root (bin/cartograph.js)');
    }
    directory = parent;
  }
  return directory;
}
