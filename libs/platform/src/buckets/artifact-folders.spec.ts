import {
  collectArtifactFolders,
  findArtifactFolders,
  fingerprintArtifactFiles,
  folderOf,
} from './artifact-folders.js';
import type { BucketObject } from './bucket.models.js';

function object(key: string, etag = `etag-${key}`, version: string | null = null, size = 10): BucketObject {
  return { key, etag, size, lastModified: new Date('2026-11-01T00:00:00Z'), version };
}

describe('folderOf', () => {
  it('keeps the trailing slash so that folder + file name is the key', () => {
    expect(folderOf('dbt/prod/manifest.json')).toBe('dbt/prod/');
    expect(folderOf('manifest.json')).toBe('');
  });
});

describe('findArtifactFolders', () => {
  it('groups artifacts by folder, sorted, and keeps only folders with a manifest', () => {
    const scan = findArtifactFolders(
      [
        object('dbt/b/run_results.json'),
        object('dbt/b/manifest.json'),
        object('dbt/b/compiled/project/models/orders.sql'),
        object('dbt/a/manifest.json.gz'),
        object('dbt/a/catalog.json.gz'),
        object('dbt/a/sources.json'),
        object('dbt/a/semantic_manifest.json'),
        object('dbt/a/graph_summary.json'),
        // run_results without a manifest: nothing to attach them to
        object('dbt/c/run_results.json'),
        // a manifest one level deeper is its own folder
        object('dbt/a/nested/manifest.json'),
      ],
      'dbt/',
    );
    expect(scan.folders.map((folder) => folder.folder)).toEqual(['dbt/a/', 'dbt/a/nested/', 'dbt/b/']);
    const [a, nested, b] = scan.folders;
    expect(a!.files.map((file) => [file.kind, file.key, file.gzipped])).toEqual([
      ['manifest', 'dbt/a/manifest.json.gz', true],
      ['catalog', 'dbt/a/catalog.json.gz', true],
      ['sources', 'dbt/a/sources.json', false],
      ['semantic_manifest', 'dbt/a/semantic_manifest.json', false],
    ]);
    expect(nested!.files.map((file) => file.key)).toEqual(['dbt/a/nested/manifest.json']);
    expect(b!.files.map((file) => file.kind)).toEqual(['manifest', 'run_results']);
    expect(scan.objectCount).toBe(10);
    expect(scan.unsafeKeys).toEqual([]);
  });

  it('never takes a semantic manifest for a manifest', () => {
    const scan = findArtifactFolders(
      [object('runs/1/semantic_manifest.json'), object('runs/1/run_results.json')],
      '',
    );
    expect(scan.folders).toEqual([]);
  });

  it('picks the lexicographically last file of each kind and reports the others as ignored', () => {
    const scan = findArtifactFolders(
      [
        object('dbt/manifest_20261102.json.gz'),
        object('dbt/manifest.json'),
        object('dbt/manifest_20261101.json.gz'),
        object('dbt/catalog.json'),
      ],
      'dbt',
    );
    expect(scan.folders).toHaveLength(1);
    const [folder] = scan.folders;
    expect(folder!.folder).toBe('dbt/');
    expect(folder!.files.map((file) => file.key)).toEqual([
      'dbt/manifest_20261102.json.gz',
      'dbt/catalog.json',
    ]);
    expect(folder!.ignored).toEqual([
      { kind: 'manifest', key: 'dbt/manifest.json', supersededBy: 'dbt/manifest_20261102.json.gz' },
      {
        kind: 'manifest',
        key: 'dbt/manifest_20261101.json.gz',
        supersededBy: 'dbt/manifest_20261102.json.gz',
      },
    ]);
  });

  it('reports unsafe keys and carries on with the safe ones', () => {
    const scan = findArtifactFolders(
      [
        object('dbt/ok/manifest.json'),
        object('dbt/../escape/manifest.json'),
        object('dbt/evil\u0000/manifest.json'),
        object('dbt\\win\\manifest.json'),
        object('elsewhere/manifest.json'),
      ],
      'dbt/',
    );
    expect(scan.folders.map((folder) => folder.folder)).toEqual(['dbt/ok/']);
    expect(scan.unsafeKeyCount).toBe(4);
    expect(scan.unsafeKeys.map((unsafe) => unsafe.key)).toEqual([
      'dbt/../escape/manifest.json',
      'dbt/evil\u0000/manifest.json',
      'dbt\\win\\manifest.json',
      'elsewhere/manifest.json',
    ]);
    expect(scan.unsafeKeys[0]!.message).toContain("'..' segment");
    expect(scan.unsafeKeys[1]!.message).toContain('\\u0000');
    expect(scan.unsafeKeys[3]!.message).toContain('outside the prefix');
  });

  it('keeps a bounded sample of unsafe keys and counts them all', () => {
    const hostile = Array.from({ length: 50 }, (_, index) => object(`../${index}/manifest.json`));
    const scan = findArtifactFolders(hostile, '', { maximumUnsafeKeys: 5 });
    expect(scan.unsafeKeys).toHaveLength(5);
    expect(scan.unsafeKeyCount).toBe(50);
  });

  it('accepts a streamed listing (an async iterable) one object at a time', async () => {
    async function* listing(): AsyncGenerator<BucketObject> {
      for (let index = 0; index < 1000; index += 1) {
        yield object(`dbt/run-${String(index).padStart(4, '0')}/compiled/model_${index}.sql`);
        if (index % 100 === 0) {
          yield object(`dbt/run-${String(index).padStart(4, '0')}/manifest.json`);
        }
      }
    }
    const scan = await collectArtifactFolders(listing(), 'dbt/');
    expect(scan.folders).toHaveLength(10);
    expect(scan.objectCount).toBe(1010);
    expect(scan.folders[0]!.folder).toBe('dbt/run-0000/');
  });
});

describe('fingerprint', () => {
  const files = [
    object('dbt/a/manifest.json', 'm1'),
    object('dbt/a/catalog.json', 'c1'),
    object('dbt/a/run_results.json', 'r1', '3'),
  ];

  it('is stable across listing order and unrelated files', () => {
    const first = findArtifactFolders(files, 'dbt').folders[0]!.fingerprint;
    const reordered = findArtifactFolders(
      [object('dbt/a/compiled/x.sql'), ...[...files].reverse(), object('dbt/a/logs/dbt.log')],
      'dbt',
    ).folders[0]!.fingerprint;
    expect(reordered).toBe(first);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is pinned: changing the algorithm makes every sync download every folder once more', () => {
    expect(
      fingerprintArtifactFiles([{ key: 'dbt/manifest.json', etag: 'abc', version: null, size: 42 }]),
    ).toBe('c7ec66d204bc8ea491f4aefef335d78a3bb3b50ca36e843187033bed59a74950');
  });

  it('changes when a chosen file is rewritten, re-versioned, added or removed', () => {
    const base = findArtifactFolders(files, 'dbt').folders[0]!.fingerprint;
    const fingerprints = [
      [object('dbt/a/manifest.json', 'm2'), files[1]!, files[2]!],
      [files[0]!, files[1]!, object('dbt/a/run_results.json', 'r1', '4')],
      [...files, object('dbt/a/sources.json', 's1')],
      [files[0]!, files[1]!],
      [...files, object('dbt/a/manifest_2.json', 'm9')],
    ].map((listing) => findArtifactFolders(listing, 'dbt').folders[0]!.fingerprint);
    for (const fingerprint of fingerprints) expect(fingerprint).not.toBe(base);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('does not let two different file sets collide by concatenation', () => {
    expect(fingerprintArtifactFiles([{ key: 'a', etag: 'bc', version: null, size: 1 }])).not.toBe(
      fingerprintArtifactFiles([{ key: 'ab', etag: 'c', version: null, size: 1 }]),
    );
  });
});
