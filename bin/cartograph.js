#!/usr/bin/env node
// The `cartograph` command; its code is in libs/cli (TypeScript), built by `npm run build`.
import { existsSync } from 'node:fs';

const entry = new URL('../libs/cli/dist/src/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write(
    'cartograph is not built yet: run "npm install && npm run build" in the repository first.\n',
  );
  process.exit(1);
}
await import(entry.href);
