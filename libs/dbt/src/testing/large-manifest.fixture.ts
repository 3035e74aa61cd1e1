import { buildManifest } from './manifest.fixture.js';

type Json = Record<string, unknown>;

const encoder = new TextEncoder();

/**
 * A manifest of about `targetBytes` for parse-speed measurements, generated chunk by chunk (never one big
 * string): the v12 jaffle-shop manifest with its models, tests and macros copied under new ids, about 70 %
 * nodes, 15 % macros and 15 % parent and child maps, like a real large project.
 */
export function* largeManifestChunks(targetBytes: number, chunkSize = 64 * 1024): Generator<Uint8Array> {
  const template = buildManifest(12, { adapterType: 'snowflake' });
  const nodeTemplates = Object.values(template.nodes as Json) as Json[];
  const macroTemplates = Object.values(template.macros as Json) as Json[];
  // Real projects have long SQL; pad the template code so entries have realistic sizes (~4 KB).
  const padding = '\n    -- ' + 'lorem ipsum dolor sit amet, "quoted" text with \\ backslashes\t'.repeat(40);
  let pending: string[] = [];
  let pendingLength = 0;
  let written = 0;
  function* emit(text: string): Generator<Uint8Array> {
    pending.push(text);
    pendingLength += text.length;
    written += text.length;
    if (pendingLength >= chunkSize) {
      yield encoder.encode(pending.join(''));
      pending = [];
      pendingLength = 0;
    }
  }
  yield* emit(`{"metadata":${JSON.stringify(template.metadata)},"nodes":{`);
  const nodeIds: string[] = [];
  for (let index = 0; written < targetBytes * 0.7; index += 1) {
    const node = nodeTemplates[index % nodeTemplates.length]!;
    const uniqueId = `${node.unique_id as string}_${index}`;
    nodeIds.push(uniqueId);
    const copy: Json = { ...node, unique_id: uniqueId, name: `${node.name as string}_${index}` };
    if (typeof copy.raw_code === 'string') copy.raw_code = copy.raw_code + padding;
    yield* emit(`${index === 0 ? '' : ','}${JSON.stringify(uniqueId)}:${JSON.stringify(copy)}`);
  }
  yield* emit(`},"sources":${JSON.stringify(template.sources)},"macros":{`);
  for (let index = 0; written < targetBytes * 0.85; index += 1) {
    const macro = macroTemplates[index % macroTemplates.length]!;
    const uniqueId = `${macro.unique_id as string}_${index}`;
    const copy = { ...macro, unique_id: uniqueId, macro_sql: (macro.macro_sql as string) + padding };
    yield* emit(`${index === 0 ? '' : ','}${JSON.stringify(uniqueId)}:${JSON.stringify(copy)}`);
  }
  yield* emit(
    `},"docs":${JSON.stringify(template.docs)},"exposures":${JSON.stringify(template.exposures)},"metrics":${JSON.stringify(template.metrics)},"groups":${JSON.stringify(template.groups)},"selectors":{},"disabled":${JSON.stringify(template.disabled)},"parent_map":{`,
  );
  // Edge maps: every node with three neighbours, cycling (with distinct keys) until the size is reached.
  const edgeMap = function* (until: number): Generator<Uint8Array> {
    for (let index = 0; written < until; index += 1) {
      const round = Math.floor(index / nodeIds.length);
      const key = `${nodeIds[index % nodeIds.length]!}${round === 0 ? '' : `.copy${round}`}`;
      const neighbours = [1, 7, 13].map((step) => nodeIds[(index * step) % nodeIds.length]);
      yield* emit(`${index === 0 ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(neighbours)}`);
    }
  };
  yield* edgeMap(targetBytes * 0.93);
  yield* emit('},"child_map":{');
  yield* edgeMap(targetBytes);
  yield* emit(
    `},"group_map":{},"saved_queries":${JSON.stringify(template.saved_queries)},"semantic_models":${JSON.stringify(template.semantic_models)},"unit_tests":${JSON.stringify(template.unit_tests)},"functions":{}}`,
  );
  if (pendingLength > 0) yield encoder.encode(pending.join(''));
}
