import { DatasetIdentityError, InvalidDatasetIdError, InvalidDatasetNameError } from './errors.js';
import {
  caseRuleOf,
  identifierRules,
  isStorableName,
  resolveIdentifier,
  type IdentifierRules,
  type IdentityOptions,
} from './identifier-rules.js';
import { decodeInstance, normalizeInstance } from './instance.js';
import { isPlatform, type Platform } from './platform.js';
import { platformFromAdapter } from './platform-from-adapter.js';
import { parseIdentifier, splitQualifiedName, type QualifiedNamePart } from './qualified-name.js';

/**
 * Per-part quoting of a `DatasetName`. `true`: the value is a quoted SQL identifier (or a name read from the
 * warehouse's own catalog, which is the stored name), taken literally. `false`: an unquoted SQL identifier,
 * trimmed and folded the way the platform folds unquoted names. Absent: the value may carry the platform's
 * quotes (`"Orders"`, `` `Orders` ``, `[Orders]`), which decide.
 */
export interface QuotedParts {
  readonly database?: boolean;
  readonly schema?: boolean;
  readonly name?: boolean;
}

/** What a source knows about a table; the input of `datasetId`. */
export interface DatasetName {
  /** A `Platform` or a dbt adapter type (`sqlserver`, `spark`, …); see `platformFromAdapter`. */
  readonly platform: Platform | string;
  /** Account, host[:port] or workspace of the warehouse connection; blank means `default`. */
  readonly instance?: string | null;
  readonly database?: string | null;
  readonly schema?: string | null;
  readonly name: string;
  /** One flag for every part, or one per part; see `QuotedParts`. */
  readonly quoted?: boolean | QuotedParts;
}

/** The parts of a canonical id, as they appear in it, without the id's quotes. */
export interface ParsedDatasetId {
  readonly id: string;
  readonly platform: Platform;
  /** Decoded from its percent-encoding. */
  readonly instance: string;
  readonly database: string;
  readonly schema: string;
  readonly name: string;
  /**
   * Which parts are double-quoted in the id: the part keeps its exact case, or it has characters a bare part
   * cannot hold. Passing the result back to `datasetId` (with the same options) gives the same id.
   */
  readonly quoted: { readonly database: boolean; readonly schema: boolean; readonly name: boolean };
}

/** Upper bound on an id, far above any real one (identifiers are at most a few hundred characters each). */
export const MAXIMUM_DATASET_ID_LENGTH = 4096;

/** Characters a part may have without quotes; everything else, dots and slashes included, needs `"…"`. */
const barePart = /^[A-Za-z0-9_$-]+$/;
const bareCharacter = /[A-Za-z0-9_$-]/;

type Slot = 'database' | 'schema' | 'name';

interface ResolvedDataset {
  readonly platform: Platform;
  readonly rules: IdentifierRules;
  /** Normalised and percent-encoded. */
  readonly instance: string;
  /** The names the warehouse stores, by slot. */
  readonly database: string;
  readonly schema: string;
  readonly name: string;
}

/**
 * The dataset id `<platform>://<instance>/<database>.<schema>.<name>` (DESIGN §3) of a table any source
 * describes. Parts are unquoted and folded the way the platform resolves identifiers, so every spelling of
 * one table gives one id; see the README for the rules per platform. Throws `InvalidDatasetNameError` when
 * the name is missing, a level the platform needs is missing, or a quote is broken, and
 * `UnsupportedPlatformError` for an unknown platform.
 */
export function datasetId(input: DatasetName, options: IdentityOptions = {}): string {
  return renderDatasetId(resolveDatasetName(input, options), input);
}

/** Context for `datasetIdFromQualifiedName`: where the name was seen and what fills missing levels. */
export interface QualifiedNameContext extends IdentityOptions {
  readonly instance?: string | null;
  /** The session's current database, for names with fewer parts; a string may carry quotes. */
  readonly defaultDatabase?: string | QualifiedNamePart | null;
  readonly defaultSchema?: string | QualifiedNamePart | null;
}

/**
 * The id of a table named in SQL (`"My DB".public."Orders"`, a dbt `relation_name`, a name in query history).
 * Parts count from the right (name, then schema, then database); missing ones come from the context, then from
 * the platform's own defaults. Throws `InvalidQualifiedNameError` for unreadable names or too many parts.
 */
export function datasetIdFromQualifiedName(
  platform: Platform | string,
  text: string,
  context: QualifiedNameContext = {},
): string {
  const resolvedPlatform = platformFromAdapter(platform, { host: context.instance });
  const parts = splitQualifiedName(resolvedPlatform, text);
  const rules = identifierRules(resolvedPlatform);
  if (parts.length > rules.levels) {
    throw new InvalidDatasetNameError(
      `${resolvedPlatform} names have at most ${rules.levels} parts (${levelDescription(rules)}), found ${parts.length}`,
      text,
    );
  }
  const fromRight = (offset: number): QualifiedNamePart | undefined => {
    const part = parts[parts.length - 1 - offset];
    return part && part.value !== '' ? part : undefined;
  };
  const asPart = (value: string | QualifiedNamePart | null | undefined): QualifiedNamePart | undefined => {
    if (value === null || value === undefined) return undefined;
    return typeof value === 'string' ? parseIdentifier(resolvedPlatform, value) : value;
  };
  const name = fromRight(0)!;
  const schema =
    fromRight(1) ??
    asPart(context.defaultSchema) ??
    (rules.levels === 2 ? asPart(context.defaultDatabase) : undefined);
  const database = rules.levels === 3 ? (fromRight(2) ?? asPart(context.defaultDatabase)) : undefined;
  return datasetId(
    {
      platform: resolvedPlatform,
      instance: context.instance,
      database: database?.value,
      schema: schema?.value,
      name: name.value,
      quoted: { database: database?.quoted ?? false, schema: schema?.quoted ?? false, name: name.quoted },
    },
    context,
  );
}

/**
 * Reads a canonical dataset id. Throws `InvalidDatasetIdError` (with `reason` and `input`) when it is not one:
 * wrong shape, unknown platform, wrong number of parts, a broken quote, a character a bare part cannot hold,
 * or a spelling `datasetId` would not produce (the error names the canonical id; `normalizeDatasetId` fixes it).
 */
export function parseDatasetId(id: string): ParsedDatasetId {
  return describe(readDatasetId(id, true), id);
}

/** Like `parseDatasetId`, but returns null instead of throwing. */
export function tryParseDatasetId(id: unknown): ParsedDatasetId | null {
  try {
    return parseDatasetId(id as string);
  } catch (error) {
    if (error instanceof DatasetIdentityError) return null;
    throw error;
  }
}

export function isDatasetId(id: unknown): id is string {
  return tryParseDatasetId(id) !== null;
}

/**
 * The canonical form of a hand-written or legacy id: the instance is normalised, bare parts are read as
 * unquoted identifiers (Snowflake `Orders` → `orders`), quoted parts are folded where the platform folds
 * quoted names too, redundant quotes are dropped, and a two-part name gets the platform's default level.
 * A canonical id is returned unchanged. Throws `InvalidDatasetIdError` when the text cannot be read at all.
 */
export function normalizeDatasetId(id: string): string {
  return readDatasetId(id, false).id;
}

function resolveDatasetName(input: DatasetName, options: IdentityOptions): ResolvedDataset {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidDatasetNameError('expected an object with platform and name', input);
  }
  const platform = platformFromAdapter(input.platform, { host: input.instance });
  const rules = identifierRules(platform);
  const rule = caseRuleOf(rules, options);
  const resolve = (slot: Slot): string | undefined => {
    const value = input[slot];
    if (value === null || value === undefined) return undefined;
    if (typeof value !== 'string') throw new InvalidDatasetNameError(`${slot} must be a string`, input);
    const flag = typeof input.quoted === 'boolean' ? input.quoted : input.quoted?.[slot];
    let part: QualifiedNamePart;
    if (flag === undefined) {
      try {
        part = parseIdentifier(platform, value);
      } catch (error) {
        if (error instanceof DatasetIdentityError)
          throw new InvalidDatasetNameError(`${slot}: ${error.reason}`, input);
        throw error;
      }
    } else {
      part = flag ? { value, quoted: true } : { value: value.trim(), quoted: false };
    }
    // Empty means "not given": dbt-clickhouse writes database "", and a blank value never names anything.
    if (part.value.trim() === '') return undefined;
    return resolveIdentifier(rules, rule, part.value, part.quoted);
  };
  const platformDefault = (value: string | undefined): string | undefined =>
    value === undefined ? undefined : resolveIdentifier(rules, rule, value, true);
  const missing = (slot: Slot, levelName: string): never => {
    throw new InvalidDatasetNameError(`${slot} (the ${platform} ${levelName}) is required`, input);
  };

  const name = resolve('name') ?? missing('name', rules.levelNames[2]);
  let database: string;
  let schema: string;
  if (rules.levels === 2) {
    // One namespace level: dbt puts it in `schema` (its `database` is empty or a copy), crawlers may put it in
    // either, so the schema wins and the id repeats it in both slots.
    schema =
      resolve('schema') ??
      resolve('database') ??
      platformDefault(rules.defaultSchema) ??
      missing('schema', rules.levelNames[1]);
    database = schema;
  } else {
    database =
      resolve('database') ??
      platformDefault(rules.defaultDatabase) ??
      missing('database', rules.levelNames[0]);
    schema =
      resolve('schema') ?? platformDefault(rules.defaultSchema) ?? missing('schema', rules.levelNames[1]);
  }
  return { platform, rules, instance: normalizeInstance(platform, input.instance), database, schema, name };
}

function renderDatasetId(dataset: ResolvedDataset, input: unknown): string {
  const { rules } = dataset;
  const id = `${dataset.platform}://${dataset.instance}/${renderPart(rules, dataset.database)}.${renderPart(rules, dataset.schema)}.${renderPart(rules, dataset.name)}`;
  if (id.length > MAXIMUM_DATASET_ID_LENGTH) {
    throw new InvalidDatasetNameError(
      `the id would be longer than ${MAXIMUM_DATASET_ID_LENGTH} characters`,
      input,
    );
  }
  return id;
}

/** A bare id part stands for the name the platform's unquoted rule gives it. */
function foldBare(rules: IdentifierRules, text: string): string {
  if (rules.bareFold === 'upper') return text.toUpperCase();
  if (rules.bareFold === 'lower') return text.toLowerCase();
  return text;
}

/** The spelling of a stored name in an id: bare when a bare part means exactly that name, else double-quoted. */
function renderPart(rules: IdentifierRules, storedName: string): string {
  const bare = rules.bareFold === 'upper' ? storedName.toLowerCase() : storedName;
  if (barePart.test(bare) && foldBare(rules, bare) === storedName) return bare;
  return `"${storedName.replaceAll('"', '""')}"`;
}

function describe(dataset: ResolvedDataset & { readonly id: string }, input: unknown): ParsedDatasetId {
  const { rules } = dataset;
  const display = (storedName: string): { value: string; quoted: boolean } => {
    const rendered = renderPart(rules, storedName);
    return rendered.startsWith('"')
      ? { value: storedName, quoted: true }
      : { value: rendered, quoted: false };
  };
  const database = display(dataset.database);
  const schema = display(dataset.schema);
  const name = display(dataset.name);
  let instance: string;
  try {
    instance = decodeInstance(dataset.instance);
  } catch {
    throw new InvalidDatasetIdError('the instance has a broken percent-encoding', input);
  }
  return {
    id: dataset.id,
    platform: dataset.platform,
    instance,
    database: database.value,
    schema: schema.value,
    name: name.value,
    quoted: { database: database.quoted, schema: schema.quoted, name: name.quoted },
  };
}

function levelDescription(rules: IdentifierRules): string {
  const [database, schema, name] = rules.levelNames;
  return rules.levels === 2 ? `${schema}.${name}` : `${database}.${schema}.${name}`;
}

interface IdPart {
  readonly content: string;
  readonly quoted: boolean;
}

/**
 * Reads an id. Strict: the text must be exactly what `datasetId` produces. Lenient: any readable spelling,
 * returned with its canonical id.
 */
function readDatasetId(id: unknown, strict: boolean): ResolvedDataset & { readonly id: string } {
  const fail = (reason: string): never => {
    throw new InvalidDatasetIdError(reason, id);
  };
  if (typeof id !== 'string') return fail('a dataset id must be a string');
  if (id.trim() === '') return fail('the id is empty');
  if (id.length > MAXIMUM_DATASET_ID_LENGTH)
    return fail(`longer than ${MAXIMUM_DATASET_ID_LENGTH} characters`);
  const text = strict ? id : id.trim();

  const schemeEnd = text.indexOf('://');
  if (schemeEnd < 0)
    return fail('expected <platform>://<instance>/<database>.<schema>.<name>; "://" is missing');
  const platformText = text.slice(0, schemeEnd);
  let platform: Platform;
  if (isPlatform(platformText)) {
    platform = platformText;
  } else if (strict) {
    return fail(`unknown platform ${JSON.stringify(platformText)}`);
  } else {
    try {
      platform = platformFromAdapter(platformText);
    } catch {
      return fail(`unknown platform ${JSON.stringify(platformText)}`);
    }
  }
  const rules = identifierRules(platform);

  const afterScheme = schemeEnd + 3;
  const slash = text.indexOf('/', afterScheme);
  if (slash < 0) return fail('expected "/" between the instance and the name');
  const instanceText = text.slice(afterScheme, slash);
  if (instanceText === '') return fail('the instance is empty; an unknown server is written "default"');
  let decodedInstance: string;
  try {
    decodedInstance = decodeInstance(instanceText);
  } catch {
    return fail('the instance has a broken percent-encoding');
  }
  const instance = normalizeInstance(platform, decodedInstance);

  const parts = readIdParts(text, slash + 1, fail);
  const expectedCount = rules.levels === 2 ? '3 (the database repeated as the schema)' : '3';
  if (parts.length !== 3 && (strict || parts.length !== 2)) {
    return fail(
      `expected ${expectedCount} dot-separated parts (${rules.levelNames.join('.')}) after the instance, found ${parts.length}; a part containing "." is written in double quotes`,
    );
  }
  const stored = parts.map((part, index) => {
    const storedName = part.quoted ? part.content : foldBare(rules, part.content);
    if (isStorableName(rules, storedName)) return storedName;
    if (strict) {
      return fail(
        `part ${index + 1} (${JSON.stringify(part.content)}) cannot occur: ${platform} compares names case-insensitively and the id writes them in ${rules.bareFold === 'upper' ? 'the upper-case form' : 'lower case'}`,
      );
    }
    return resolveIdentifier(rules, 'case-insensitive', storedName, true);
  });

  let dataset: ResolvedDataset;
  if (parts.length === 2) {
    // Lenient only: a two-part name gets the level the platform defaults, as `datasetId` would give it.
    try {
      dataset = resolveDatasetName(
        { platform, instance: decodedInstance, schema: stored[0], name: stored[1]!, quoted: true },
        { caseSensitive: true },
      );
    } catch (error) {
      if (error instanceof DatasetIdentityError) return fail(error.reason);
      throw error;
    }
  } else {
    const [database, schema, name] = stored as [string, string, string];
    if (rules.levels === 2 && database !== schema) {
      return fail(
        `${platform} has one namespace level, so the database and schema parts must be equal (found ${JSON.stringify(database)} and ${JSON.stringify(schema)})`,
      );
    }
    dataset = { platform, rules, instance, database, schema, name };
  }
  const canonical = renderDatasetId(dataset, id);
  if (strict && canonical !== text) return fail(`not in canonical form; the canonical id is ${canonical}`);
  return { ...dataset, id: canonical };
}

function readIdParts(text: string, start: number, fail: (reason: string) => never): IdPart[] {
  const parts: IdPart[] = [];
  let position = start;
  for (;;) {
    if (position >= text.length) {
      return fail(parts.length === 0 ? 'the name after the instance is missing' : 'the id ends with "."');
    }
    if (text[position] === '"') {
      const opened = position;
      position += 1;
      let content = '';
      for (;;) {
        if (position >= text.length) return fail(`the quote opened at position ${opened} is not closed`);
        const character = text[position]!;
        position += 1;
        if (character !== '"') {
          content += character;
        } else if (text[position] === '"') {
          content += '"';
          position += 1;
        } else {
          break;
        }
      }
      if (content === '') return fail(`empty quoted part at position ${opened}`);
      parts.push({ content, quoted: true });
    } else {
      const begin = position;
      while (position < text.length && bareCharacter.test(text[position]!)) position += 1;
      if (position === begin) {
        return fail(
          `unexpected ${JSON.stringify(text[position])} at position ${position}; a part with characters other than A-Z a-z 0-9 _ $ - is written in double quotes`,
        );
      }
      parts.push({ content: text.slice(begin, position), quoted: false });
    }
    if (position >= text.length) return parts;
    if (text[position] !== '.') {
      return fail(
        `unexpected ${JSON.stringify(text[position])} at position ${position}; parts are separated by "."`,
      );
    }
    position += 1;
  }
}
