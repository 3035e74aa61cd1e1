import { readArtifact } from './artifact.reader.js';
import { largeManifestChunks } from './testing/index.js';

/**
 * Parse speed. The 100 MB measurement (the target: ≤ 4 s on the 2-core CI machine) takes ~10 s with the
 * generation, so it runs on demand:
 *
 *   DBT_PARSE_BENCH=1 npx jest -c libs/dbt/jest.config.js artifact.reader.performance
 *
 * With `@streamparser/json` installed (`npm install --no-save @streamparser/json@0.0.26`) it also measures
 * that library on the same bytes, for the comparison in the README.
 */

const megabyte = 1024 * 1024;

function generate(bytes: number): Uint8Array[] {
  return [...largeManifestChunks(bytes)];
}

async function measureReader(chunks: Uint8Array[]): Promise<{ milliseconds: number; records: number }> {
  const started = performance.now();
  let records = 0;
  for await (const _record of readArtifact(chunks, { fileName: 'large-manifest.json' })) records += 1;
  return { milliseconds: performance.now() - started, records };
}

describe('readArtifact speed', () => {
  it('reads a generated 10 MB manifest entry by entry', async () => {
    const chunks = generate(10 * megabyte);
    const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
    expect(total).toBeGreaterThanOrEqual(10 * megabyte);
    const { milliseconds, records } = await measureReader(chunks);
    expect(records).toBeGreaterThan(1000);
    // Far above the real cost (~0.1 s), so a loaded CI machine never flakes; the benchmark below is the real check.
    expect(milliseconds).toBeLessThan(4000);
  });

  const benchmark = process.env.DBT_PARSE_BENCH === '1' ? it : it.skip;

  benchmark(
    'reads a 100 MB manifest in at most 4 s',
    async () => {
      const chunks = generate(100 * megabyte);
      const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const runs: number[] = [];
      let records = 0;
      for (let run = 0; run < 3; run += 1) {
        const result = await measureReader(chunks);
        runs.push(result.milliseconds);
        records = result.records;
      }
      const lines = [
        `manifest: ${(total / megabyte).toFixed(1)} MB in ${chunks.length} chunks, ${records} records`,
        `splitter + normalisers: ${runs.map((milliseconds) => `${(milliseconds / 1000).toFixed(2)} s`).join(', ')}`,
      ];
      const library = await loadStreamParser();
      if (library) {
        const started = performance.now();
        let values = 0;
        const sections = [
          'nodes',
          'sources',
          'exposures',
          'metrics',
          'semantic_models',
          'saved_queries',
          'unit_tests',
          'groups',
          'docs',
        ];
        const parser = new library.JSONParser({
          paths: ['$.metadata', ...sections.map((section) => `$.${section}.*`)],
          keepStack: false,
        });
        parser.onValue = () => {
          values += 1;
        };
        for (const chunk of chunks) parser.write(chunk);
        lines.push(
          `@streamparser/json (tokenise and build the same entries, no normalisation): ${((performance.now() - started) / 1000).toFixed(2)} s, ${values} values`,
        );
      }
      console.log(lines.join('\n'));
      expect(Math.min(...runs)).toBeLessThanOrEqual(4000);
    },
    120_000,
  );
});

interface StreamParserModule {
  JSONParser: new (options: { paths: string[]; keepStack: boolean }) => {
    onValue: (value: unknown) => void;
    write(chunk: Uint8Array): void;
  };
}

async function loadStreamParser(): Promise<StreamParserModule | null> {
  // Optional: the library is not a dependency (see the README); a variable keeps tsc from resolving it.
  const name = '@streamparser/json';
  try {
    return (await import(name)) as StreamParserModule;
  } catch {
    return null;
  }
}
