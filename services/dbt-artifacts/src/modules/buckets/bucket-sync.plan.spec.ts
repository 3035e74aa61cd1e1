import { findArtifactFolders, type BucketObject } from '@cartograph/platform/buckets';
import { planBucketSync } from './bucket-sync.plan.js';

function object(key: string, etag: string, lastModified: string): BucketObject {
  return { key, etag, size: 10, lastModified: new Date(lastModified), version: null };
}

describe('planBucketSync', () => {
  // A hostile listing no emulator will store: '..' segments and absolute keys come back from the listing.
  const listing = [
    object('dbt/runs/2026-11-02/manifest.json.gz', 'b1', '2026-11-02T06:00:00Z'),
    object('dbt/runs/2026-11-02/run_results.json', 'b2', '2026-11-02T06:00:00Z'),
    object('dbt/target/manifest.json', 'a1', '2026-11-01T06:00:00Z'),
    object('dbt/target/catalog.json', 'a2', '2026-11-01T06:00:00Z'),
    object('dbt/x/../manifest.json', 'evil', '2026-11-03T06:00:00Z'),
    object('/etc/manifest.json', 'evil', '2026-11-03T06:00:00Z'),
    object('dbt/target/compiled/model.sql', 'c', '2026-11-01T06:00:00Z'),
  ];
  const scan = findArtifactFolders(listing, 'dbt/');

  it('puts changed folders oldest manifest first, and reports unsafe keys without a folder for them', () => {
    const plan = planBucketSync(scan, new Map());
    expect(plan.changed.map((folder) => folder.folder)).toEqual(['dbt/target/', 'dbt/runs/2026-11-02/']);
    expect(plan.unchanged).toEqual([]);
    expect(plan.problems.map((problem) => problem.key)).toEqual([
      'dbt/x/../manifest.json',
      '/etc/manifest.json',
    ]);
    expect(plan.problems[0]!.message).toMatch(/'\.\.' segment; it was not downloaded$/);
    expect(plan.problems[1]!.message).toMatch(/absolute/);
    const keys = plan.changed.flatMap((folder) => folder.files.map((file) => file.key));
    expect(keys).not.toContain('dbt/x/../manifest.json');
    expect(keys).not.toContain('/etc/manifest.json');
  });

  it('skips a folder whose fingerprint is the one stored, and only that one', () => {
    const target = scan.folders.find((folder) => folder.folder === 'dbt/target/')!;
    const plan = planBucketSync(
      scan,
      new Map([
        ['dbt/target/', target.fingerprint],
        ['dbt/runs/2026-11-02/', 'old'],
      ]),
    );
    expect(plan.unchanged.map((folder) => folder.folder)).toEqual(['dbt/target/']);
    expect(plan.changed.map((folder) => folder.folder)).toEqual(['dbt/runs/2026-11-02/']);
  });

  it('sees a rewritten file (new ETag) as a change', () => {
    const before = planBucketSync(scan, new Map());
    const rewritten = findArtifactFolders(
      listing.map((item) => (item.key === 'dbt/target/catalog.json' ? { ...item, etag: 'a2-new' } : item)),
      'dbt/',
    );
    const stored = new Map(before.changed.map((folder) => [folder.folder, folder.fingerprint]));
    expect(planBucketSync(rewritten, stored).changed.map((folder) => folder.folder)).toEqual(['dbt/target/']);
  });
});
