import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ParserDialect } from './sql-dialect.js';

/*
 * sqlparser-rs runs as WebAssembly (`@guanmingchiu/sqlparser-ts`, pinned). Two facts shape this file:
 *
 * 1. The module must be instantiated asynchronously once before the first parse, so `initSqlLineage()` exists and
 *    `analyzeSql` refuses to run before it.
 * 2. A statement whose AST is very deep (a chain of about 700 `OR`s) overflows the WebAssembly stack while the
 *    AST is converted to JavaScript. That is a trap, not an exception: the instance is left with a corrupt stack
 *    pointer and every later parse fails too. The package's own `init()` caches its single instance, so we
 *    instantiate the package's wasm-bindgen glue ourselves: one glue module per instance (imported with a
 *    distinct query string, because a glue module holds exactly one instance), spares imported ahead of time so
 *    a trap can be replaced synchronously, in the middle of a batch, without an `await`.
 */

/** A compiled WebAssembly module (opaque here). */
type WasmModule = object;

/** The part of the WebAssembly global this file uses (the TypeScript lib of this project does not declare it). */
interface WebAssemblyApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  readonly RuntimeError: abstract new (...args: never[]) => Error;
}

const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

interface ParserGlue {
  default(input: { module_or_path: WasmModule }): Promise<unknown>;
  initSync(input: { module: WasmModule }): unknown;
  parse_sql(dialect: string, sql: string): unknown;
}

/** Spare glue modules kept imported; each absorbs one trap. */
const SPARE_INSTANCES = 2;

let compiledModule: WasmModule | null = null;
let glueUrl: string | null = null;
let active: ParserGlue | null = null;
const spares: ParserGlue[] = [];
let glueGeneration = 0;
let loading: Promise<void> | null = null;
let refilling: Promise<void> | null = null;
let trapCount = 0;

/** The parser could not run the statement: it crashed (and was replaced) or is not available. */
export class ParserCrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ParserCrashError';
  }
}

/** A syntax error reported by sqlparser-rs, with the position when it gives one (1-based, in the parsed text). */
export class SqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | null,
    readonly column: number | null,
  ) {
    super(message);
    this.name = 'SqlSyntaxError';
  }
}

/**
 * Loads the SQL parser. Call (and await) it once before `analyzeSql`; calling it again is cheap, and after the
 * parser crashed more often than spare instances could absorb, it restores a working parser.
 */
export async function initSqlLineage(): Promise<void> {
  if (active !== null && spares.length > 0) return;
  loading ??= load().finally(() => {
    loading = null;
  });
  await loading;
}

async function load(): Promise<void> {
  if (compiledModule === null || glueUrl === null) {
    // The package's `exports` map hides the glue; its location is fixed relative to the entry point.
    const entry = createRequire(import.meta.url).resolve('@guanmingchiu/sqlparser-ts');
    const wasmDirectory = join(dirname(entry), '..', 'wasm');
    const bytes = await readFile(join(wasmDirectory, 'sqlparser_rs_wasm_bg.wasm'));
    compiledModule = await webAssembly.compile(bytes);
    glueUrl = pathToFileURL(join(wasmDirectory, 'sqlparser_rs_wasm.js')).href;
  }
  if (active === null) {
    const glue = await importGlue();
    await glue.default({ module_or_path: compiledModule });
    active = glue;
  }
  while (spares.length < SPARE_INSTANCES) spares.push(await importGlue());
}

async function importGlue(): Promise<ParserGlue> {
  glueGeneration += 1;
  return (await import(`${glueUrl}?instance=${glueGeneration}`)) as ParserGlue;
}

/** Whether `initSqlLineage()` has completed. */
export function isSqlParserReady(): boolean {
  return active !== null;
}

/** How many times the parser crashed in this process (each crash cost one statement its lineage). */
export function parserCrashCount(): number {
  return trapCount;
}

/**
 * Parses SQL into sqlparser-rs' serde AST (one entry per statement). Throws `SqlSyntaxError` for SQL the parser
 * rejects and `ParserCrashError` when the parser crashed on it (the crashed instance is replaced before returning).
 */
export function parseSqlAst(sql: string, dialect: ParserDialect): unknown[] {
  const glue = active;
  if (glue === null) {
    throw new ParserCrashError(
      trapCount > 0
        ? 'the SQL parser is unavailable: it crashed more often than spare instances could absorb; await initSqlLineage() to restart it'
        : 'the SQL parser is not loaded; await initSqlLineage() once before analyzeSql()',
    );
  }
  let result: unknown;
  try {
    result = glue.parse_sql(dialect, sql);
  } catch (error) {
    if (error instanceof webAssembly.RuntimeError || error instanceof RangeError) {
      replaceCrashedInstance();
      throw new ParserCrashError(
        `the SQL parser crashed on this statement (${error.message}); it is nested too deeply to read`,
      );
    }
    throw syntaxErrorOf(error);
  }
  return Array.isArray(result) ? result : [result];
}

function replaceCrashedInstance(): void {
  trapCount += 1;
  active = null;
  const spare = spares.shift();
  if (spare !== undefined && compiledModule !== null) {
    spare.initSync({ module: compiledModule });
    active = spare;
  }
  // Refill in the background; a batch that runs synchronously past all spares reports the parser unavailable.
  refilling ??= load()
    .catch(() => undefined)
    .finally(() => {
      refilling = null;
    });
}

const positionPattern = /\s+at Line: (\d+), Column: (\d+)\s*$/;

function syntaxErrorOf(error: unknown): SqlSyntaxError {
  let message: string;
  if (typeof error === 'string') {
    message = error;
  } else if (
    error !== null &&
    typeof error === 'object' &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    message = (error as { message: string }).message;
  } else {
    message = String(error);
  }
  const lineField = (error as { line?: unknown } | null)?.line;
  const columnField = (error as { column?: unknown } | null)?.column;
  let line = typeof lineField === 'number' ? lineField : null;
  let column = typeof columnField === 'number' ? columnField : null;
  const position = positionPattern.exec(message);
  if (position) {
    line ??= Number(position[1]);
    column ??= Number(position[2]);
    message = message.slice(0, position.index);
  }
  return new SqlSyntaxError(message.replace(/^sql parser error:\s*/, ''), line, column);
}
