import { checkDatePart, checkGrain, checkName, type DatePart, type TimeGrain } from './metric-query.js';
import { ExpressionError, type ExpressionTokenizer, type Token } from './template-expression.tokenizer.js';

// The object calls of MetricFlow's Jinja (research/semantic-layer.md §4): `Dimension('customer__region')`,
// `Dimension('metric_time').grain('month')`, `TimeDimension('metric_time', 'month')`, `Entity('order_id')`,
// `Metric('revenue', group_by=['customer'])`, with `.descending(True)` in order_by. Methods and arguments
// follow MetricFlow's `ConfiguredValidMethodMapping` and call signatures; anything else is refused.

export const SEMANTIC_OBJECT_KINDS = ['Dimension', 'TimeDimension', 'Entity', 'Metric'] as const;

export type SemanticObjectKind = (typeof SEMANTIC_OBJECT_KINDS)[number];

/** Where an object call appears, which decides the kinds, arguments and methods it may use. */
export type SemanticObjectContext = 'where' | 'groupBy' | 'orderBy' | 'metrics';

export interface SemanticObjectReference {
  kind: SemanticObjectKind;
  /** Lower case, without the entity path. */
  name: string;
  /** `entity_path=[…]`, lower case; empty when not given. */
  entityPath: string[];
  grain?: TimeGrain;
  datePart?: DatePart;
  descending?: boolean;
  /** `Metric('m', group_by=[…])`, lower case. */
  groupBy?: string[];
  /** Offsets of the call in the source, end exclusive. */
  start: number;
  end: number;
}

type Slot = 'name' | 'grain' | 'entityPath' | 'datePart' | 'descending' | 'groupBy' | 'alias';
type ValueType = 'string' | 'list' | 'boolean';

interface KindSpecification {
  positional: Slot[];
  keywords: Record<string, Slot>;
  methods: Partial<Record<string, Slot>>;
}

const SLOT_TYPES: Record<Slot, ValueType> = {
  name: 'string',
  grain: 'string',
  entityPath: 'list',
  datePart: 'string',
  descending: 'boolean',
  groupBy: 'list',
  alias: 'string',
};

const SPECIFICATIONS: Record<SemanticObjectKind, KindSpecification> = {
  Dimension: {
    positional: ['name', 'entityPath'],
    keywords: { name: 'name', entity_path: 'entityPath' },
    methods: { grain: 'grain', date_part: 'datePart', descending: 'descending' },
  },
  TimeDimension: {
    positional: ['name', 'grain', 'entityPath'],
    keywords: {
      time_dimension_name: 'name',
      time_granularity_name: 'grain',
      entity_path: 'entityPath',
      date_part_name: 'datePart',
      descending: 'descending',
    },
    methods: { descending: 'descending' },
  },
  Entity: {
    positional: ['name', 'entityPath'],
    keywords: { entity_name: 'name', entity_path: 'entityPath' },
    methods: { descending: 'descending' },
  },
  Metric: {
    positional: ['name', 'groupBy'],
    keywords: { metric_name: 'name', group_by: 'groupBy', alias: 'alias' },
    methods: { descending: 'descending' },
  },
};

const KINDS_BY_CONTEXT: Record<SemanticObjectContext, readonly SemanticObjectKind[]> = {
  where: SEMANTIC_OBJECT_KINDS,
  groupBy: ['Dimension', 'TimeDimension', 'Entity'],
  orderBy: SEMANTIC_OBJECT_KINDS,
  metrics: ['Metric'],
};

const CONTEXT_NAMES: Record<SemanticObjectContext, string> = {
  where: 'a where filter',
  groupBy: 'group_by',
  orderBy: 'order_by',
  metrics: 'metrics',
};

type ArgumentValue =
  | { type: 'string'; token: Token }
  | { type: 'list'; items: Token[]; start: number }
  | { type: 'boolean'; value: boolean; token: Token };

function fail(reason: string, offset: number): never {
  throw new ExpressionError(reason, offset);
}

function describeToken(token: Token): string {
  if (token.kind === 'end') return 'the end of the text';
  if (token.kind === 'string') return 'a string';
  return JSON.stringify(token.text);
}

/** Consumes the next token, which must be the given punctuation or delimiter. */
export function expectPunctuation(tokens: ExpressionTokenizer, text: string, what?: string): Token {
  const token = tokens.next();
  if ((token.kind === 'punctuation' || token.kind === 'delimiter') && token.text === text) return token;
  return fail(`expected ${what ?? `'${text}'`} but found ${describeToken(token)}`, token.start);
}

function isPunctuation(token: Token, text: string): boolean {
  return token.kind === 'punctuation' && token.text === text;
}

/** Parses `'a'`, `["a", 'b',]`, `True`/`False`/`true`/`false`. No nesting: a list holds strings only. */
export function parseArgumentValue(tokens: ExpressionTokenizer): ArgumentValue {
  const token = tokens.next();
  if (token.kind === 'string') return { type: 'string', token };
  if (token.kind === 'identifier' && /^(?:true|false)$/i.test(token.text)) {
    return { type: 'boolean', value: token.text.toLowerCase() === 'true', token };
  }
  if (isPunctuation(token, '[')) {
    const items: Token[] = [];
    for (;;) {
      const next = tokens.next();
      if (isPunctuation(next, ']')) break;
      if (next.kind !== 'string')
        fail(`expected a string or ']' in the list but found ${describeToken(next)}`, next.start);
      items.push(next);
      const separator = tokens.next();
      if (isPunctuation(separator, ']')) break;
      if (!isPunctuation(separator, ',')) {
        fail(`expected ',' or ']' in the list but found ${describeToken(separator)}`, separator.start);
      }
    }
    return { type: 'list', items, start: token.start };
  }
  return fail(
    `expected a string, a list of strings or True/False but found ${describeToken(token)}`,
    token.start,
  );
}

function valueOffset(value: ArgumentValue): number {
  return value.type === 'list' ? value.start : value.token.start;
}

function describeType(type: ValueType): string {
  return type === 'list' ? 'a list of strings' : type === 'boolean' ? 'True or False' : 'a string';
}

/**
 * Parses one object call with its methods, starting at the object's name. The tokenizer is left right after
 * the call, so the caller decides what may follow.
 */
export function parseSemanticObject(
  tokens: ExpressionTokenizer,
  context: SemanticObjectContext,
): SemanticObjectReference {
  const allowedKinds = KINDS_BY_CONTEXT[context];
  const kindToken = tokens.next();
  const kind = allowedKinds.find((candidate) => candidate === kindToken.text);
  if (kindToken.kind !== 'identifier' || kind === undefined) {
    const known = (SEMANTIC_OBJECT_KINDS as readonly string[]).includes(kindToken.text);
    const subject = kindToken.kind === 'identifier' ? `'${kindToken.text}'` : describeToken(kindToken);
    fail(
      `${known ? `${subject} is not allowed in ${CONTEXT_NAMES[context]}` : `unknown object ${subject}`}; ` +
        `expected ${listKinds(allowedKinds)}`,
      kindToken.start,
    );
  }
  const specification = SPECIFICATIONS[kind];
  const slots = new Map<Slot, { value: ArgumentValue; offset: number }>();
  const assign = (slot: Slot, value: ArgumentValue, offset: number, label: string): void => {
    if (slots.has(slot)) fail(`${label} is given twice in ${kind}(…)`, offset);
    const expected = SLOT_TYPES[slot];
    if (value.type !== expected)
      fail(`${label} of ${kind} must be ${describeType(expected)}`, valueOffset(value));
    slots.set(slot, { value, offset });
  };

  expectPunctuation(tokens, '(', `'(' after ${kind}`);
  let position = 0;
  let seenKeyword = false;
  for (;;) {
    const next = tokens.peek();
    if (isPunctuation(next, ')')) {
      tokens.next();
      break;
    }
    const afterName = next.kind === 'identifier' ? peekSecond(tokens) : undefined;
    if (next.kind === 'identifier' && afterName && isPunctuation(afterName, '=')) {
      tokens.next();
      tokens.next();
      const slot = specification.keywords[next.text];
      if (slot === undefined) {
        fail(
          `unknown keyword argument '${next.text}' of ${kind}; expected ${Object.keys(specification.keywords).join(', ')}`,
          next.start,
        );
      }
      seenKeyword = true;
      assign(slot, parseArgumentValue(tokens), next.start, `'${next.text}'`);
    } else {
      if (seenKeyword) fail(`a positional argument follows a keyword argument in ${kind}(…)`, next.start);
      const slot = specification.positional[position];
      if (slot === undefined)
        fail(`${kind} takes at most ${specification.positional.length} positional arguments`, next.start);
      assign(slot, parseArgumentValue(tokens), next.start, `argument ${position + 1}`);
      position += 1;
    }
    const separator = tokens.next();
    if (isPunctuation(separator, ')')) break;
    if (!isPunctuation(separator, ','))
      fail(`expected ',' or ')' but found ${describeToken(separator)}`, separator.start);
  }

  let end = tokens.position;
  while (isPunctuation(tokens.peek(), '.')) {
    tokens.next();
    const method = tokens.next();
    const slot = method.kind === 'identifier' ? specification.methods[method.text] : undefined;
    if (slot === undefined) {
      fail(
        `unknown method ${method.kind === 'identifier' ? `'${method.text}'` : describeToken(method)} of ${kind}; ` +
          `expected ${Object.keys(specification.methods).join(', ')}`,
        method.start,
      );
    }
    expectPunctuation(tokens, '(', `'(' after .${method.text}`);
    const argumentToken = tokens.peek();
    if (isPunctuation(argumentToken, ')')) fail(`.${method.text}() needs an argument`, argumentToken.start);
    assign(slot, parseArgumentValue(tokens), method.start, `.${method.text}()`);
    expectPunctuation(tokens, ')', `')' closing .${method.text}(`);
    end = tokens.position;
  }

  return buildReference(kind, slots, context, kindToken.start, end);
}

function peekSecond(tokens: ExpressionTokenizer): Token {
  const reader = tokens.fork();
  reader.next();
  return reader.next();
}

function listKinds(kinds: readonly string[]): string {
  return kinds.length === 1 ? kinds[0]! : `${kinds.slice(0, -1).join(', ')} or ${kinds.at(-1)}`;
}

function buildReference(
  kind: SemanticObjectKind,
  slots: Map<Slot, { value: ArgumentValue; offset: number }>,
  context: SemanticObjectContext,
  start: number,
  end: number,
): SemanticObjectReference {
  const string = (slot: Slot): Token | undefined => {
    const entry = slots.get(slot);
    return entry?.value.type === 'string' ? entry.value.token : undefined;
  };
  const list = (slot: Slot): Token[] | undefined => {
    const entry = slots.get(slot);
    return entry?.value.type === 'list' ? entry.value.items : undefined;
  };
  const nameToken = string('name');
  if (!nameToken) fail(`${kind}(…) needs a name as its first argument`, start);
  const reference: SemanticObjectReference = {
    kind,
    name: nameOf(nameToken),
    entityPath: (list('entityPath') ?? []).map(nameOf),
    start,
    end,
  };
  const grainToken = string('grain');
  if (grainToken) {
    const checked = checkGrain(grainToken.value);
    if ('problem' in checked) fail(checked.problem, grainToken.start);
    reference.grain = checked.grain;
  }
  const datePartToken = string('datePart');
  if (datePartToken) {
    const checked = checkDatePart(datePartToken.value);
    if ('problem' in checked) fail(checked.problem, datePartToken.start);
    reference.datePart = checked.datePart;
  }
  const descending = slots.get('descending');
  if (descending?.value.type === 'boolean') {
    if (context !== 'orderBy') fail(`descending is allowed only in order_by`, descending.offset);
    reference.descending = descending.value.value;
  }
  const groupBy = slots.get('groupBy');
  if (groupBy?.value.type === 'list') {
    if (context !== 'where') fail(`group_by of Metric is allowed only in where filters`, groupBy.offset);
    reference.groupBy = groupBy.value.items.map(nameOf);
  }
  const alias = slots.get('alias');
  if (alias) fail(`metric aliases are not supported; query the metric by its name`, alias.offset);
  return reference;
}

function nameOf(token: Token): string {
  const checked = checkName(token.value);
  if ('problem' in checked) fail(checked.problem, token.start);
  return checked.name;
}

/** `customer__region` for `Dimension('region', entity_path=['customer'])`: the name MetricFlow resolves. */
export function qualifiedName(reference: Pick<SemanticObjectReference, 'name' | 'entityPath'>): string {
  return [...reference.entityPath, reference.name].join('__');
}

/** The canonical template text of a reference (single-quoted, lower case), as sent upstream. */
export function renderSemanticObject(reference: SemanticObjectReference): string {
  const quote = (value: string): string => `'${value}'`;
  const list = (values: string[]): string => `[${values.map(quote).join(', ')}]`;
  const parts = [quote(reference.name)];
  const methods: string[] = [];
  if (reference.kind === 'TimeDimension') {
    if (reference.grain !== undefined) parts.push(quote(reference.grain));
    if (reference.entityPath.length > 0) parts.push(`entity_path=${list(reference.entityPath)}`);
    if (reference.datePart !== undefined) parts.push(`date_part_name=${quote(reference.datePart)}`);
  } else if (reference.kind === 'Metric') {
    if (reference.groupBy !== undefined) parts.push(`group_by=${list(reference.groupBy)}`);
  } else {
    if (reference.entityPath.length > 0) parts.push(`entity_path=${list(reference.entityPath)}`);
    if (reference.grain !== undefined) methods.push(`.grain(${quote(reference.grain)})`);
    if (reference.datePart !== undefined) methods.push(`.date_part(${quote(reference.datePart)})`);
  }
  if (reference.descending !== undefined)
    methods.push(`.descending(${reference.descending ? 'True' : 'False'})`);
  return `${reference.kind}(${parts.join(', ')})${methods.join('')}`;
}
