import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildCatalog, buildManifest, buildRunResults, buildSources } from '@cartograph/dbt/testing';

const temporary: string[] = [];

export function temporaryDirectory(prefix = 'cartograph-dbt-'): string {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(directory);
  return directory;
}

export function removeTemporaryDirectories(): void {
  for (const directory of temporary.splice(0)) rmSync(directory, { recursive: true, force: true });
}

/** The jaffle-shop manifest as dbt 1.11 on Snowflake writes it. */
export const snowflakeManifest = () => buildManifest(12, { adapterType: 'snowflake' });

/**
 * A dbt `target/` after `dbt build && dbt docs generate && dbt source freshness` on Snowflake, with the
 * catalog gzipped and the files dbt writes besides the artifacts (which must be skipped).
 */
export function writeSnowflakeTarget(directory = temporaryDirectory()): string {
  const target = join(directory, 'target');
  mkdirSync(join(target, 'compiled', 'jaffle_shop'), { recursive: true });
  writeFileSync(join(target, 'manifest.json'), JSON.stringify(snowflakeManifest()));
  writeFileSync(
    join(target, 'catalog.json.gz'),
    gzipSync(JSON.stringify(buildCatalog({ adapterType: 'snowflake', upperCase: true }))),
  );
  writeFileSync(join(target, 'run_results.json'), JSON.stringify(buildRunResults(6)));
  writeFileSync(join(target, 'sources.json'), JSON.stringify(buildSources(3)));
  writeFileSync(join(target, 'graph_summary.json'), '{"_invocation_id": "x", "linked": {}}');
  writeFileSync(join(target, 'partial_parse.msgpack'), Buffer.from([0x82, 0xa1, 0x61]));
  writeFileSync(join(target, 'compiled', 'jaffle_shop', 'orders.sql'), 'select 1');
  return target;
}

/** The first half of a file's bytes: what a job killed mid-write, or a full disk, leaves. */
export function truncated(text: string): string {
  return text.slice(0, Math.floor(text.length / 2));
}
