#!/usr/bin/env node
// Launcher for the benchmark harness: the scenarios are TypeScript, compiled by the root build into bench/dist.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('./dist/src/run.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    'bench: the harness is not built (bench/dist/src/run.js is missing).\n' +
      'Run `npm run bench -- <scenario>` (it builds first), or `npx tsc -b tsconfig.build.json` then `node bench/run.js`.\n',
  );
  process.exit(1);
}
await import(entry.href);
