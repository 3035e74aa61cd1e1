import {
  asArray,
  identPart,
  isAstObject,
  isQueryNode,
  objectNameParts,
  unnamedArgumentExpression,
  variantOf,
  type AstObject,
  type NamePart,
} from './ast.readers.js';

/*
 * Column-level lineage without a schema. Each output column of a query is traced through aliases, CTEs, derived
 * tables and set operations to the table columns it is computed from. Where that needs knowledge of a table's
 * columns — `SELECT *` over a join, an unqualified column when several tables are in scope — the column's lineage
 * is unknown and left out: no guesses. Columns whose expression reads no column at all (`1 AS one`) have an empty
 * source list.
 */

/** A column of a table named in the SQL, before name resolution. */
export interface RawColumnOrigin {
  readonly table: readonly NamePart[];
  readonly column: NamePart;
}

/** `null`: unknown (left out of the result); `[]`: computed from no column. */
export type RawColumnSources = readonly RawColumnOrigin[] | null;

export interface OutputColumn {
  readonly name: NamePart | null;
  readonly sources: RawColumnSources;
}

/**
 * What a query exposes. `columns` are the named outputs in order. `stars` says where names that are not in
 * `columns` come from when the query selects `*`: the relations behind the star (a union of them for set
 * operations), or `'ambiguous'` when that cannot be told.
 */
export interface QueryShape {
  readonly columns: readonly OutputColumn[];
  readonly stars: readonly Relation[] | 'ambiguous' | null;
  /** Index in `columns` before which positions are reliable (a star before it shifts positions); Infinity if none. */
  readonly positionalUntil: number;
}

type Relation =
  | { readonly kind: 'table'; readonly parts: readonly NamePart[] }
  | { readonly kind: 'query'; readonly shape: QueryShape }
  | { readonly kind: 'opaque' };

/** The relations of a SELECT, and names that are not columns of any of them (ClickHouse ARRAY JOIN aliases). */
interface Scope {
  readonly entries: readonly ScopeEntry[];
  readonly unnestedNames: ReadonlySet<string>;
}

interface ScopeEntry {
  /** Folded alias, or the folded last name part of an unaliased table. */
  readonly key: string;
  /** The full written name of an unaliased table, folded, to match `schema.table.column` references. */
  readonly qualified: readonly string[] | null;
  readonly relation: Relation;
}

/** CTE names visible at a point of the query, folded, with their shapes. */
export type CteEnvironment = ReadonlyMap<string, Relation>;

const unknownShape: QueryShape = { columns: [], stars: 'ambiguous', positionalUntil: 0 };

function isArrayJoinOperator(operator: unknown): boolean {
  const variant = variantOf(operator);
  return variant !== null && variant.endsWith('ArrayJoin');
}

/** Identifiers are compared without case when matching aliases and CTE names, as every supported dialect does. */
export function foldName(value: string): string {
  return value.toLowerCase();
}

const opaque: Relation = { kind: 'opaque' };

export class ColumnLineageExtractor {
  /** Guards against pathological nesting in the JavaScript walk (the parser limits nesting too). */
  private depth = 0;

  /** The output columns of a query node. */
  shapeOfQuery(query: unknown, environment: CteEnvironment): QueryShape {
    if (!isQueryNode(query)) return unknownShape;
    if (++this.depth > 200) {
      this.depth -= 1;
      return unknownShape;
    }
    try {
      const scope = this.withCtes(query, environment);
      return this.shapeOfSetExpression(query.body, scope);
    } finally {
      this.depth -= 1;
    }
  }

  /** The environment inside a query: the outer one plus the query's own CTEs, each traced in order. */
  withCtes(query: AstObject, environment: CteEnvironment): CteEnvironment {
    const withClause = query.with;
    if (!isAstObject(withClause)) return environment;
    const scope = new Map(environment);
    for (const cte of asArray(withClause.cte_tables)) {
      if (!isAstObject(cte) || !isAstObject(cte.alias)) continue;
      const name = identPart(cte.alias.name);
      if (name === null) continue;
      const key = foldName(name.value);
      // A recursive CTE reads itself; until its shape is known, a reference to it is opaque.
      scope.set(key, opaque);
      const shape = renameColumns(this.shapeOfQuery(cte.query, scope), cte.alias.columns);
      scope.set(key, { kind: 'query', shape });
    }
    return scope;
  }

  private shapeOfSetExpression(body: unknown, environment: CteEnvironment): QueryShape {
    if (!isAstObject(body)) return unknownShape;
    const variant = variantOf(body);
    const value = variant === null ? undefined : body[variant];
    switch (variant) {
      case 'Select':
        return isAstObject(value) ? this.shapeOfSelect(value, environment) : unknownShape;
      case 'Query':
        return this.shapeOfQuery(value, environment);
      case 'SetOperation':
        return isAstObject(value)
          ? combineSetOperation(
              this.shapeOfSetExpression(value.left, environment),
              this.shapeOfSetExpression(value.right, environment),
            )
          : unknownShape;
      case 'Table': {
        // `TABLE t`
        const parts = isAstObject(value) ? tableStatementParts(value) : null;
        if (parts === null) return unknownShape;
        return { columns: [], stars: [this.relationOfName(parts, environment)], positionalUntil: 0 };
      }
      default:
        return unknownShape;
    }
  }

  private shapeOfSelect(select: AstObject, environment: CteEnvironment): QueryShape {
    const scope = this.scopeOf(select, environment);
    const columns: OutputColumn[] = [];
    let stars: Relation[] | 'ambiguous' | null = null;
    let positionalUntil = Infinity;
    for (const item of asArray(select.projection)) {
      if (!isAstObject(item)) continue;
      const variant = variantOf(item);
      const value = variant === null ? undefined : item[variant];
      if (variant === 'Wildcard' || variant === 'QualifiedWildcard') {
        if (positionalUntil === Infinity) positionalUntil = columns.length;
        const options = variant === 'Wildcard' ? value : asArray(value)[1];
        let starRelations: Relation[] | 'ambiguous';
        if (isAstObject(options) && (options.opt_replace != null || options.opt_rename != null)) {
          starRelations = 'ambiguous';
        } else if (variant === 'Wildcard') {
          starRelations = scope.entries.length === 1 ? [scope.entries[0]!.relation] : 'ambiguous';
        } else {
          const qualifier = objectNameParts(qualifiedWildcardName(value));
          const entry = qualifier === null ? undefined : findQualified(scope.entries, qualifier);
          starRelations = entry === undefined ? 'ambiguous' : [entry.relation];
        }
        stars = stars === null && starRelations !== 'ambiguous' ? starRelations : 'ambiguous';
        continue;
      }
      let expression: unknown;
      let name: NamePart | null = null;
      if (variant === 'ExprWithAlias' && isAstObject(value)) {
        expression = value.expr;
        name = identPart(value.alias);
      } else if (variant === 'UnnamedExpr') {
        expression = value;
        name = implicitName(value);
      } else {
        columns.push({ name: null, sources: null });
        continue;
      }
      columns.push({ name, sources: this.sourcesOfExpression(expression, scope, environment) });
    }
    return { columns, stars, positionalUntil };
  }

  /** The relations a SELECT reads from, by the name a column reference qualifies them with. */
  private scopeOf(select: AstObject, environment: CteEnvironment): Scope {
    const entries: ScopeEntry[] = [];
    const unnestedNames = new Set<string>();
    const aliasOf = (value: AstObject): NamePart | null =>
      isAstObject(value.alias) ? identPart(value.alias.name) : null;
    const addFactor = (factor: unknown): void => {
      if (!isAstObject(factor)) return;
      const variant = variantOf(factor);
      const value = variant === null ? undefined : factor[variant];
      if (!isAstObject(value)) return;
      const alias = aliasOf(value);
      const opaqueEntry = (): void => {
        entries.push({ key: alias ? foldName(alias.value) : '', qualified: null, relation: opaque });
      };
      if (variant === 'NestedJoin') {
        const nested = value.table_with_joins;
        if (isAstObject(nested)) {
          addFactor(nested.relation);
          for (const join of asArray(nested.joins)) if (isAstObject(join)) addFactor(join.relation);
        }
        return;
      }
      if (variant === 'Table' && value.args == null) {
        const parts = objectNameParts(value.name);
        if (parts === null) return opaqueEntry();
        // `FROM t, t.items i`: a path into an earlier relation's nested data, not a table.
        if (parts.length >= 2 && entries.some((entry) => entry.key === foldName(parts[0]!.value)))
          return opaqueEntry();
        let relation = this.relationOfName(parts, environment);
        if (relation.kind === 'query' && isAstObject(value.alias)) {
          relation = { kind: 'query', shape: renameColumns(relation.shape, value.alias.columns) };
        } else if (isAstObject(value.alias) && asArray(value.alias.columns).length > 0) {
          // `FROM t AS x (a, b)` renames the table's columns by position, which only a schema can map.
          relation = opaque;
        }
        entries.push({
          key: foldName(alias ? alias.value : parts[parts.length - 1]!.value),
          qualified: alias ? null : parts.map((part) => foldName(part.value)),
          relation,
        });
        return;
      }
      if (variant === 'Derived') {
        const shape = renameColumns(
          this.shapeOfQuery(value.subquery, environment),
          isAstObject(value.alias) ? value.alias.columns : undefined,
        );
        entries.push({
          key: alias ? foldName(alias.value) : '',
          qualified: null,
          relation: { kind: 'query', shape },
        });
        return;
      }
      // Table functions, UNNEST, FLATTEN, PIVOT, VALUES…: columns that cannot be traced to table columns.
      opaqueEntry();
    };
    let afterArrayJoin = false;
    for (const tableWithJoins of asArray(select.from)) {
      if (!isAstObject(tableWithJoins)) continue;
      const relation = tableWithJoins.relation;
      if (afterArrayJoin) this.addUnnestedName(relation, unnestedNames);
      else addFactor(relation);
      for (const join of asArray(tableWithJoins.joins)) {
        if (!isAstObject(join)) continue;
        if (isArrayJoinOperator(join.join_operator)) {
          afterArrayJoin = true;
          this.addUnnestedName(join.relation, unnestedNames);
        } else {
          addFactor(join.relation);
        }
      }
    }
    for (const lateralView of asArray(select.lateral_views)) {
      if (!isAstObject(lateralView)) continue;
      const alias = identPart(lateralView.lateral_view_name);
      entries.push({ key: alias ? foldName(alias.value) : '', qualified: null, relation: opaque });
      for (const column of asArray(lateralView.lateral_col_alias)) {
        const name = identPart(column);
        if (name !== null) unnestedNames.add(foldName(name.value));
      }
    }
    return { entries, unnestedNames };
  }

  /** ClickHouse `ARRAY JOIN items.sku AS sku`: `sku` names an array element, not a column of a relation. */
  private addUnnestedName(factor: unknown, names: Set<string>): void {
    if (!isAstObject(factor)) return;
    const value = factor[variantOf(factor) ?? ''];
    if (!isAstObject(value)) return;
    const alias = isAstObject(value.alias) ? identPart(value.alias.name) : null;
    if (alias !== null) names.add(foldName(alias.value));
    const parts = objectNameParts(value.name);
    if (parts !== null && alias === null) names.add(foldName(parts[parts.length - 1]!.value));
  }

  private relationOfName(parts: readonly NamePart[], environment: CteEnvironment): Relation {
    if (parts.length === 1) {
      const cte = environment.get(foldName(parts[0]!.value));
      if (cte !== undefined) return cte;
    }
    return { kind: 'table', parts };
  }

  /**
   * The table columns an expression reads; `null` when any of them cannot be traced. A scalar subquery contributes
   * the columns of its one output; `EXISTS`/`IN (subquery)` filter rather than supply values and contribute none.
   */
  sourcesOfExpression(expression: unknown, scope: Scope, environment: CteEnvironment): RawColumnSources {
    const references: NamePart[][] = [];
    const subqueries: unknown[] = [];
    collectColumnReferences(expression, references, subqueries, 0);
    const sources: RawColumnOrigin[] = [];
    for (const reference of references) {
      const resolved = resolveReference(reference, scope);
      if (resolved === null) return null;
      sources.push(...resolved);
    }
    for (const subquery of subqueries) {
      const shape = this.shapeOfQuery(subquery, environment);
      if (shape.stars !== null || shape.columns.length !== 1 || shape.columns[0]!.sources === null)
        return null;
      sources.push(...shape.columns[0]!.sources);
    }
    return sources;
  }
}

/** The name an unaliased projection gets: a column reference keeps its column's name. */
function implicitName(expression: unknown): NamePart | null {
  if (!isAstObject(expression)) return null;
  if (isAstObject(expression.Identifier)) return identPart(expression.Identifier);
  if (Array.isArray(expression.CompoundIdentifier)) {
    const parts = expression.CompoundIdentifier;
    return identPart(parts[parts.length - 1]);
  }
  if (isAstObject(expression.Nested)) return implicitName(expression.Nested);
  return null;
}

function qualifiedWildcardName(value: unknown): unknown {
  // `[ObjectName, options]` in current releases; `{ ObjectName: [...] }` in newer shapes.
  const first = Array.isArray(value) ? value[0] : value;
  if (isAstObject(first) && 'ObjectName' in first) return first.ObjectName;
  return first;
}

function tableStatementParts(value: AstObject): NamePart[] | null {
  const parts: NamePart[] = [];
  if (typeof value.schema_name === 'string') parts.push({ value: value.schema_name, quoted: false });
  if (typeof value.table_name !== 'string') return null;
  parts.push({ value: value.table_name, quoted: false });
  return parts;
}

function renameColumns(shape: QueryShape, aliasColumns: unknown): QueryShape {
  const names = asArray(aliasColumns);
  if (names.length === 0) return shape;
  // Renaming is by position, which a star makes unknowable.
  if (shape.stars !== null && shape.positionalUntil < names.length) return unknownShape;
  const columns = names.map((column, index) => ({
    name: identPart(isAstObject(column) && 'name' in column ? column.name : column),
    sources: shape.columns[index]?.sources ?? null,
  }));
  return { columns, stars: null, positionalUntil: Infinity };
}

function combineSetOperation(left: QueryShape, right: QueryShape): QueryShape {
  if (left.stars === null && right.stars === null) {
    if (left.columns.length !== right.columns.length) return unknownShape;
    const columns = left.columns.map((column, index) => {
      const other = right.columns[index]!.sources;
      return {
        name: column.name,
        sources: column.sources === null || other === null ? null : [...column.sources, ...other],
      };
    });
    return { columns, stars: null, positionalUntil: Infinity };
  }
  if (
    left.columns.length === 0 &&
    right.columns.length === 0 &&
    Array.isArray(left.stars) &&
    Array.isArray(right.stars)
  ) {
    return { columns: [], stars: [...left.stars, ...right.stars], positionalUntil: 0 };
  }
  return unknownShape;
}

function findQualified(scope: readonly ScopeEntry[], qualifier: readonly NamePart[]): ScopeEntry | undefined {
  const folded = qualifier.map((part) => foldName(part.value));
  if (folded.length === 1) {
    const matches = scope.filter((entry) => entry.key === folded[0]);
    return matches.length === 1 ? matches[0] : undefined;
  }
  const matches = scope.filter(
    (entry) =>
      entry.qualified !== null &&
      entry.qualified.length >= folded.length &&
      folded.every(
        (part, index) => entry.qualified![entry.qualified!.length - folded.length + index] === part,
      ),
  );
  return matches.length === 1 ? matches[0] : undefined;
}

function resolveReference(reference: readonly NamePart[], scope: Scope): RawColumnSources {
  const column = reference[reference.length - 1]!;
  if (reference.length === 1) {
    const key = foldName(column.value);
    if (scope.unnestedNames.has(key)) return null;
    // Unqualified: certain only when exactly one relation in scope can have the column. Tables and opaque
    // relations may have any column; a subquery or CTE whose columns are all known has only those.
    const candidates = scope.entries.filter((entry) => mayHaveColumn(entry.relation, key));
    if (candidates.length !== 1) return null;
    return lookupColumn(candidates[0]!.relation, column, 0);
  }
  const entry = findQualified(scope.entries, reference.slice(0, -1));
  if (entry === undefined) return null;
  return lookupColumn(entry.relation, column, 0);
}

function mayHaveColumn(relation: Relation, key: string): boolean {
  if (relation.kind !== 'query') return true;
  if (relation.shape.stars !== null) return true;
  return relation.shape.columns.some((column) => column.name !== null && foldName(column.name.value) === key);
}

function lookupColumn(relation: Relation, column: NamePart, depth: number): RawColumnSources {
  if (depth > 100) return null;
  switch (relation.kind) {
    case 'table':
      return [{ table: relation.parts, column }];
    case 'opaque':
      return null;
    case 'query': {
      const key = foldName(column.value);
      const shape = relation.shape;
      for (let index = shape.columns.length - 1; index >= 0; index -= 1) {
        const output = shape.columns[index]!;
        if (output.name !== null && foldName(output.name.value) === key) return output.sources;
      }
      if (!Array.isArray(shape.stars)) return null;
      const sources: RawColumnOrigin[] = [];
      for (const star of shape.stars) {
        const found = lookupColumn(star, column, depth + 1);
        if (found === null) return null;
        sources.push(...found);
      }
      return sources;
    }
  }
}

/** Keys whose subtrees hold no column of the current scope (names of functions and types, nested queries…). */
const skippedExpressionKeys: ReadonlySet<string> = new Set([
  'span',
  'name',
  'data_type',
  'alias',
  'Exists',
  'Lambda',
  'Value',
  'TypedString',
  'format',
  'collation',
]);

function collectColumnReferences(
  node: unknown,
  into: NamePart[][],
  subqueries: unknown[],
  depth: number,
): void {
  if (depth > 1_000 || node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) collectColumnReferences(item, into, subqueries, depth + 1);
    return;
  }
  const object = node as AstObject;
  for (const key in object) {
    const value = object[key];
    if (value === null || typeof value !== 'object') continue;
    if (key === 'Identifier') {
      const part = identPart(value);
      if (part !== null) into.push([part]);
      continue;
    }
    if (key === 'CompoundIdentifier' && Array.isArray(value)) {
      const parts = value.map(identPart);
      if (parts.every((part): part is NamePart => part !== null) && parts.length > 0) into.push(parts);
      continue;
    }
    if (key === 'InSubquery' && isAstObject(value)) {
      collectColumnReferences(value.expr, into, subqueries, depth + 1);
      continue;
    }
    if (key === 'Subquery') {
      subqueries.push(value);
      continue;
    }
    if (key === 'Function' && isAstObject(value) && isDateFunction(value)) {
      collectDateFunctionReferences(value, into, subqueries, depth + 1);
      continue;
    }
    if (skippedExpressionKeys.has(key)) continue;
    collectColumnReferences(value, into, subqueries, depth + 1);
  }
}

/** Functions whose unquoted date-part argument (`DATEADD(day, …)`, `TIMESTAMP_TRUNC(ts, HOUR)`) is a keyword. */
const dateFunction =
  /^(?:(?:DATE|TIME|TIMESTAMP|DATETIME)_?(?:ADD|SUB|DIFF|TRUNC|PART|SLICE|BUCKET)|DATEPART|DATENAME|LAST_DAY|TRUNC|EXTRACT|TIMESTAMPADD|TIMESTAMPDIFF)$/;

const dateParts: ReadonlySet<string> = new Set(
  `YEAR YEARS Y YY YYY YYYY YR YRS QUARTER QUARTERS Q QTR QTRS MONTH MONTHS MM MON MONS WEEK WEEKS W WK WEEKOFYEAR
  WOY WY ISOWEEK WEEKISO WEEK_ISO DAY DAYS D DD DAYOFMONTH DAYOFWEEK DAYOFWEEKISO DAYOFYEAR DOW DW DOY DY HOUR HOURS
  H HH HR HRS MINUTE MINUTES M MI MIN MINS SECOND SECONDS S SEC SECS MILLISECOND MILLISECONDS MS MSEC MICROSECOND
  MICROSECONDS US USEC NANOSECOND NANOSECONDS NS NSEC EPOCH ISOYEAR YEAROFWEEK YEAROFWEEKISO DATE TIME DATETIME`
    .split(/\s+/)
    .filter(Boolean),
);

function isDateFunction(call: AstObject): boolean {
  const name = objectNameParts(call.name);
  return name !== null && dateFunction.test(name[name.length - 1]!.value.toUpperCase());
}

function collectDateFunctionReferences(
  call: AstObject,
  into: NamePart[][],
  subqueries: unknown[],
  depth: number,
): void {
  for (const key in call) {
    if (key === 'name' || key === 'span') continue;
    if (key !== 'args') {
      collectColumnReferences(call[key], into, subqueries, depth);
      continue;
    }
    const args = isAstObject(call.args) && isAstObject(call.args.List) ? asArray(call.args.List.args) : [];
    for (const argument of args) {
      const expression = unnamedArgumentExpression(argument);
      const ident = isAstObject(expression) ? identPart(expression.Identifier) : null;
      if (ident !== null && !ident.quoted && dateParts.has(ident.value.toUpperCase())) continue;
      collectColumnReferences(expression, into, subqueries, depth);
    }
  }
}
