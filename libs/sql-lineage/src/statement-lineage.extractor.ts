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
import {
  ColumnLineageExtractor,
  foldName,
  type CteEnvironment,
  type QueryShape,
  type RawColumnOrigin,
} from './column-lineage.extractor.js';
import type { SqlPlatform, StatementType } from './lineage.types.js';

/** A column of a write (or of a SELECT's result when `table` is null) and the raw columns it comes from. */
export interface RawColumnLineage {
  readonly table: readonly NamePart[] | null;
  readonly column: NamePart;
  readonly sources: readonly RawColumnOrigin[];
}

/** What one parsed statement reads and writes, with names as written (resolution happens afterwards). */
export interface ExtractedStatement {
  readonly type: StatementType;
  readonly targets: readonly (readonly NamePart[])[];
  readonly sources: readonly (readonly NamePart[])[];
  readonly temporary: boolean;
  readonly columns: readonly RawColumnLineage[];
  /** SQL held in a string (Redshift `UNLOAD ('select …')`), to be analysed for its sources. */
  readonly embeddedQueries: readonly string[];
  /** Names that are computed (`IDENTIFIER($var)`) and so cannot be known; counted for the error message. */
  readonly unknownNames: number;
}

type CteNames = ReadonlySet<string>;

/**
 * Keys whose subtrees never contain a table: positions, tokens, identifiers, literals, aliases, type and function
 * names. Pruning them halves the walk (checked after `Table`, whose `name` is read directly).
 */
const skippedKeys: ReadonlySet<string> = new Set([
  'span',
  'select_token',
  'with_token',
  'attached_token',
  'Identifier',
  'CompoundIdentifier',
  'Value',
  'alias',
  'data_type',
  'name',
]);

/** A URL (`s3://…`, `dbfs:/…`) or an absolute path. */
const pathOrUrl = /^(?:[a-z][a-z0-9+.-]*:\/|\/)/i;

/**
 * Stage, path and pseudo-table names that appear where a table can stand: Snowflake stages (`@stage`, `@%t`),
 * quoted paths and URLs (Databricks ``delta.`s3://…` ``, ``parquet.`/Volumes/…` ``), `DUAL`.
 */
function isNotATable(parts: readonly NamePart[]): boolean {
  const first = parts[0]!.value;
  if (first.startsWith('@') || first.startsWith('%')) return true;
  if (parts.some((part) => part.quoted && pathOrUrl.test(part.value))) return true;
  return parts.length === 1 && !parts[0]!.quoted && first.toUpperCase() === 'DUAL';
}

/**
 * Walks one statement of sqlparser-rs' serde AST. Sources are every table named anywhere in the reading part of the
 * statement (subqueries, CTEs used or not, joins, set operations), except CTE names, table functions, UNNEST/FLATTEN
 * and stages; targets come from the statement's own write clause.
 */
export class StatementLineageExtractor {
  private sources: NamePart[][] = [];
  private targets: NamePart[][] = [];
  private columns: RawColumnLineage[] = [];
  private embeddedQueries: string[] = [];
  private temporary = false;
  private unknownNames = 0;
  private depth = 0;
  private readonly columnExtractor = new ColumnLineageExtractor();

  constructor(private readonly platform: SqlPlatform) {}

  extract(statement: unknown): ExtractedStatement {
    this.sources = [];
    this.targets = [];
    this.columns = [];
    this.embeddedQueries = [];
    this.temporary = false;
    this.unknownNames = 0;
    const type = this.statement(statement, new Set(), new Map());
    return {
      type,
      targets: this.targets,
      sources: this.sources,
      temporary: this.temporary,
      columns: this.columns,
      embeddedQueries: this.embeddedQueries,
      unknownNames: this.unknownNames,
    };
  }

  /**
   * A write whose frame was read without the parser (see statement-structure.reader.ts): `query` is the parsed
   * statement list of its embedded query, if it had one.
   */
  extractWrite(
    type: StatementType,
    target: readonly NamePart[] | null,
    options: {
      readonly temporary: boolean;
      readonly columnNames: readonly NamePart[] | null;
      readonly query: unknown;
      readonly source: readonly NamePart[] | null;
      readonly queryIsRead: boolean;
    },
  ): ExtractedStatement {
    this.sources = [];
    this.targets = [];
    this.columns = [];
    this.embeddedQueries = [];
    this.temporary = options.temporary;
    this.unknownNames = 0;
    if (target !== null) this.addTarget(target);
    if (options.source !== null) this.addSource(options.source);
    const query = isAstObject(options.query) ? options.query.Query : undefined;
    if (isQueryNode(query)) {
      this.walkQuery(query, new Set());
      if (!options.queryIsRead && target !== null) {
        this.addColumns(target, options.columnNames, this.columnExtractor.shapeOfQuery(query, new Map()));
      }
    }
    return {
      type,
      targets: this.targets,
      sources: this.sources,
      temporary: this.temporary,
      columns: this.columns,
      embeddedQueries: [],
      unknownNames: 0,
    };
  }

  private statement(statement: unknown, ctes: CteNames, environment: CteEnvironment): StatementType {
    const variant = variantOf(statement);
    const value = isAstObject(statement) && variant !== null ? statement[variant] : undefined;
    const node = isAstObject(value) ? value : {};
    switch (variant) {
      case 'Query':
        return this.query(node, ctes, environment);
      case 'Insert':
        return this.insert(node, ctes, environment);
      case 'CreateTable':
        return this.createTable(node, ctes, environment);
      case 'CreateView':
        return this.createView(node, ctes, environment);
      case 'Merge':
        this.addTarget(tableFactorName(node.table));
        this.walkAll([node.source, node.on, node.clauses], ctes);
        return 'merge';
      case 'Update':
        return this.update(node, ctes);
      case 'Delete':
        return this.delete(node, ctes);
      case 'Copy':
        return this.copy(node, ctes);
      case 'CopyIntoSnowflake':
        return this.copyIntoSnowflake(node, ctes);
      case 'Unload':
        if (typeof node.query_text === 'string') this.embeddedQueries.push(node.query_text);
        this.walk(node.query, ctes);
        return 'unload';
      case 'Directory':
        // INSERT OVERWRITE DIRECTORY writes files, not a table.
        this.walk(node.source, ctes);
        return 'insert';
      case 'ExportData':
        // BigQuery EXPORT DATA … AS SELECT writes files.
        this.walk(node.query, ctes);
        return 'unload';
      case 'LoadData':
        this.addTarget(objectNameParts(node.table_name));
        return 'copy';
      case 'Declare':
        // BigQuery `DECLARE x DEFAULT (SELECT …)` reads what its default reads.
        this.walk(node, ctes);
        return 'other';
      case 'Drop':
        return 'drop';
      case 'AlterTable':
      case 'AlterView':
      case 'RenameTable':
        return 'alter';
      case 'Truncate':
        return 'truncate';
      default:
        return 'other';
    }
  }

  private query(query: AstObject, ctes: CteNames, environment: CteEnvironment): StatementType {
    const scope = this.cteScope(query, ctes);
    const body = query.body;
    const bodyVariant = variantOf(body);
    if (
      isAstObject(body) &&
      (bodyVariant === 'Insert' ||
        bodyVariant === 'Update' ||
        bodyVariant === 'Delete' ||
        bodyVariant === 'Merge')
    ) {
      // `WITH … INSERT/UPDATE/DELETE/MERGE`: the CTEs are the statement's; unused ones still count as read.
      const cteEnvironment = this.columnExtractor.withCtes(query, environment);
      for (const cte of asArray(isAstObject(query.with) ? query.with.cte_tables : undefined)) {
        if (isAstObject(cte)) this.walk(cte.query, scope);
      }
      return this.statement(body[bodyVariant], scope, cteEnvironment);
    }
    this.walkQuery(query, ctes);
    const into = selectInto(body);
    if (into !== null) {
      const name = objectNameParts(into.name);
      this.addTarget(name);
      this.temporary = into.temporary === true || isHashTemporary(this.platform, name);
      this.addColumns(name, null, this.columnExtractor.shapeOfQuery(query, environment));
      return 'create_table_as_select';
    }
    this.addColumns(null, null, this.columnExtractor.shapeOfQuery(query, environment));
    return 'select';
  }

  private insert(node: AstObject, ctes: CteNames, environment: CteEnvironment): StatementType {
    const table = node.table ?? node.table_name;
    let target: NamePart[] | null = null;
    if (isAstObject(table) && 'TableName' in table) {
      target = objectNameParts(table.TableName);
    } else if (Array.isArray(table) && table.length > 0) {
      target = objectNameParts(table);
    } else if (isAstObject(table) && 'TableFunction' in table) {
      // ClickHouse `INSERT INTO FUNCTION s3(…)` writes files.
      this.walk(table.TableFunction, ctes);
    }
    const multiTable: unknown[] = [
      ...asArray(node.multi_table_into_clauses),
      ...asArray(node.multi_table_else_clause),
      ...asArray(node.multi_table_when_clauses).flatMap((clause) =>
        isAstObject(clause) ? asArray(clause.into_clauses) : [],
      ),
    ];
    if (target !== null) this.addTarget(target);
    else if (multiTable.length === 0 && !(isAstObject(table) && 'TableFunction' in table))
      this.unknownNames += 1;
    for (const clause of multiTable) {
      if (isAstObject(clause)) this.addTarget(objectNameParts(clause.table_name));
    }
    this.walkAll([node.source, node.on, node.multi_table_when_clauses], ctes);
    if (target !== null && isQueryNode(node.source)) {
      this.addColumns(
        target,
        columnNames(node.columns),
        this.columnExtractor.shapeOfQuery(node.source, environment),
      );
    }
    this.temporary = isHashTemporary(this.platform, target);
    return 'insert';
  }

  private createTable(node: AstObject, ctes: CteNames, environment: CteEnvironment): StatementType {
    const name = objectNameParts(node.name);
    this.addTarget(name);
    this.temporary =
      node.temporary === true || node.volatile === true || isHashTemporary(this.platform, name);
    const like = node.like;
    if (isAstObject(like)) {
      const inner = like.Plain ?? like.Parenthesized ?? like;
      this.addSource(isAstObject(inner) ? objectNameParts(inner.name) : objectNameParts(inner));
    } else if (Array.isArray(like)) {
      this.addSource(objectNameParts(like));
    }
    if (node.clone != null) this.addSource(objectNameParts(node.clone));
    if (!isQueryNode(node.query)) return 'create_table';
    this.walk(node.query, ctes);
    const definedColumns = asArray(node.columns).map((column) =>
      isAstObject(column) ? identPart(column.name) : null,
    );
    this.addColumns(
      name,
      definedColumns.length > 0 ? definedColumns : null,
      this.columnExtractor.shapeOfQuery(node.query, environment),
    );
    return 'create_table_as_select';
  }

  private createView(node: AstObject, ctes: CteNames, environment: CteEnvironment): StatementType {
    // ClickHouse `CREATE MATERIALIZED VIEW mv TO target AS SELECT …` writes into `target`.
    const to = node.to == null ? null : objectNameParts(node.to);
    const name = to ?? objectNameParts(node.name);
    this.addTarget(name);
    this.temporary = node.temporary === true;
    this.walk(node.query, ctes);
    if (isQueryNode(node.query)) {
      const definedColumns = asArray(node.columns).map((column) =>
        isAstObject(column) ? identPart(column.name) : null,
      );
      this.addColumns(
        name,
        definedColumns.length > 0 ? definedColumns : null,
        this.columnExtractor.shapeOfQuery(node.query, environment),
      );
    }
    return 'create_view';
  }

  private update(node: AstObject, ctes: CteNames): StatementType {
    const table = node.table;
    const updated = isAstObject(table) ? [table.relation, ...asArray(table.joins).map(joinRelation)] : [];
    const relations = namedRelations(updated);
    // The updated tables are read as well as written (DataHub's convention: SET a = a + 1 reads them). With
    // several tables (MySQL), only those the SET clause assigns to are written.
    const written = new Set<NamedRelation>();
    for (const assignment of asArray(node.assignments)) {
      const columns =
        isAstObject(assignment) && isAstObject(assignment.target) ? assignment.target.ColumnName : undefined;
      const parts = objectNameParts(columns);
      if (parts === null || parts.length < 2) continue;
      const relation = findRelation(relations, parts.slice(0, -1));
      if (relation !== undefined) written.add(relation);
    }
    if (written.size === 0 && relations.length > 0) written.add(relations[0]!);
    if (relations.length === 0)
      this.addTarget(tableFactorName(isAstObject(table) ? table.relation : undefined));
    for (const relation of relations) if (written.has(relation)) this.addTarget(relation.parts);
    if (isAstObject(table)) {
      this.walk(table.relation, ctes);
      this.walk(table.joins, ctes);
    }
    this.walkAll([node.from, node.selection, node.assignments, node.returning], ctes);
    return 'update';
  }

  private delete(node: AstObject, ctes: CteNames): StatementType {
    const from = node.from;
    const fromTables = isAstObject(from)
      ? asArray(from.WithFromKeyword ?? from.WithoutKeyword)
      : asArray(from);
    const factors: unknown[] = [];
    for (const tableWithJoins of [...fromTables, ...asArray(node.using)]) {
      if (!isAstObject(tableWithJoins)) continue;
      factors.push(tableWithJoins.relation, ...asArray(tableWithJoins.joins).map(joinRelation));
    }
    const relations = namedRelations(factors);
    // MySQL names the deleted tables (`DELETE o, oi FROM orders o JOIN …`, `DELETE FROM s USING sessions s …`),
    // often by alias; elsewhere the deleted table is the FROM relation.
    const named: NamePart[][] = [];
    for (const name of asArray(node.tables)) {
      const parts = objectNameParts(name);
      if (parts !== null) named.push(parts);
    }
    if (named.length === 0) {
      for (const tableWithJoins of fromTables) {
        const parts = isAstObject(tableWithJoins) ? tableFactorName(tableWithJoins.relation) : null;
        if (parts !== null) named.push(parts);
      }
    }
    const targetKeys = new Set<string>();
    for (const parts of named) {
      const aliased =
        parts.length === 1
          ? relations.find((relation) => relation.alias === foldName(parts[0]!.value))
          : undefined;
      const target = aliased?.parts ?? parts;
      this.addTarget(target);
      targetKeys.add(nameKey(target));
    }
    for (const factor of factors) {
      const parts = tableFactorName(factor);
      if (parts !== null && targetKeys.has(nameKey(parts))) continue;
      if (
        parts !== null &&
        parts.length === 1 &&
        relations.some((relation) => relation.alias === foldName(parts[0]!.value))
      ) {
        continue;
      }
      this.walk(factor, ctes);
    }
    for (const tableWithJoins of [...fromTables, ...asArray(node.using)]) {
      if (!isAstObject(tableWithJoins)) continue;
      for (const join of asArray(tableWithJoins.joins))
        if (isAstObject(join)) this.walk(join.join_operator, ctes);
    }
    this.walkAll([node.selection, node.returning], ctes);
    return 'delete';
  }

  private copy(node: AstObject, ctes: CteNames): StatementType {
    const source = node.source;
    if (isAstObject(source) && isAstObject(source.Table)) {
      const table = objectNameParts(source.Table.table_name);
      // COPY t TO … reads t; COPY t FROM … loads into it.
      if (node.to === true) this.addSource(table);
      else this.addTarget(table);
    } else if (isAstObject(source)) {
      this.walk(source.Query, ctes);
    }
    return 'copy';
  }

  private copyIntoSnowflake(node: AstObject, ctes: CteNames): StatementType {
    const into = objectNameParts(node.into);
    if (node.kind !== 'Location' && into !== null && !isNotATable(into)) this.addTarget(into);
    if (node.from_obj != null) {
      const from = objectNameParts(node.from_obj);
      if (
        from !== null &&
        !isNotATable(from) &&
        !(from.length === 1 && from[0]!.quoted && from[0]!.value.includes('/'))
      ) {
        this.addSource(from);
      }
    }
    this.walk(node.from_query, ctes);
    return 'copy';
  }

  private addColumns(
    table: readonly NamePart[] | null,
    names: readonly (NamePart | null)[] | null,
    shape: QueryShape,
  ): void {
    if (table === null && this.targets.length > 0) return;
    shape.columns.forEach((column, index) => {
      if (column.sources === null) return;
      let name: NamePart | null;
      if (names !== null) {
        if (index >= shape.positionalUntil || index >= names.length) return;
        name = names[index] ?? null;
      } else {
        name = column.name;
      }
      if (name === null) return;
      this.columns.push({ table, column: name, sources: column.sources });
    });
  }

  private addTarget(parts: readonly NamePart[] | null): void {
    if (parts === null) {
      this.unknownNames += 1;
      return;
    }
    if (isNotATable(parts)) return;
    this.targets.push([...parts]);
  }

  private addSource(parts: readonly NamePart[] | null): void {
    if (parts === null) {
      this.unknownNames += 1;
      return;
    }
    if (isNotATable(parts)) return;
    this.sources.push([...parts]);
  }

  private cteScope(query: AstObject, ctes: CteNames): CteNames {
    const withClause = query.with;
    if (!isAstObject(withClause)) return ctes;
    const scope = new Set(ctes);
    for (const cte of asArray(withClause.cte_tables)) {
      if (isAstObject(cte) && isAstObject(cte.alias)) {
        const name = identPart(cte.alias.name);
        if (name !== null) scope.add(foldName(name.value));
      }
    }
    return scope;
  }

  private walkAll(nodes: readonly unknown[], ctes: CteNames): void {
    for (const node of nodes) this.walk(node, ctes);
  }

  private walkQuery(query: AstObject, ctes: CteNames): void {
    const scope = this.cteScope(query, ctes);
    for (const key in query) {
      if (key === 'with') {
        const withClause = query.with;
        if (isAstObject(withClause)) {
          for (const cte of asArray(withClause.cte_tables)) if (isAstObject(cte)) this.walk(cte.query, scope);
        }
      } else if (!skippedKeys.has(key)) {
        this.walk(query[key], scope);
      }
    }
  }

  /** Collects every table factor under `node`. */
  private walk(node: unknown, ctes: CteNames): void {
    if (node === null || typeof node !== 'object') return;
    if (++this.depth > 2_000) {
      this.depth -= 1;
      throw new RangeError('the statement is nested too deeply to walk');
    }
    try {
      if (Array.isArray(node)) {
        for (const item of node) this.walk(item, ctes);
        return;
      }
      const object = node as AstObject;
      if (isQueryNode(object)) {
        this.walkQuery(object, ctes);
        return;
      }
      for (const key in object) {
        if (skippedKeys.has(key)) continue;
        const value = object[key];
        if (value === null || typeof value !== 'object') continue;
        if (key === 'Table' && isAstObject(value) && value.name !== undefined) {
          this.tableFactor(value, ctes);
        } else if (key === 'Select' && isAstObject(value)) {
          this.select(value, ctes);
        } else {
          this.walk(value, ctes);
        }
      }
    } finally {
      this.depth -= 1;
    }
  }

  private select(select: AstObject, ctes: CteNames): void {
    for (const key in select) {
      if (skippedKeys.has(key)) continue;
      const value = select[key];
      if (value === null || typeof value !== 'object') continue;
      if (key === 'from') this.fromClause(value, ctes);
      else this.walk(value, ctes);
    }
  }

  /**
   * FROM items in order. A name whose first part is the alias of an earlier item is a path into that item's
   * nested data (BigQuery `FROM t, t.items`, Redshift PartiQL `FROM orders o, o.lines`), and ClickHouse ARRAY JOIN
   * items are array columns: neither is a table.
   */
  private fromClause(from: unknown, ctes: CteNames): void {
    const aliases = new Set<string>();
    let afterArrayJoin = false;
    for (const tableWithJoins of asArray(from)) {
      if (!isAstObject(tableWithJoins)) continue;
      const joins = asArray(tableWithJoins.joins);
      const items: { factor: unknown; arrayJoin: boolean; operator: unknown }[] = [
        {
          factor: tableWithJoins.relation,
          arrayJoin: afterArrayJoin && this.platform === 'clickhouse',
          operator: undefined,
        },
        ...joins.map((join) => {
          const operator = isAstObject(join) ? join.join_operator : undefined;
          return { factor: joinRelation(join), arrayJoin: isArrayJoin(operator), operator };
        }),
      ];
      for (const { factor, arrayJoin, operator } of items) {
        this.walk(operator, ctes);
        if (arrayJoin) {
          afterArrayJoin = true;
          continue;
        }
        const table = isAstObject(factor) && isAstObject(factor.Table) ? factor.Table : null;
        const parts = table === null || table.args != null ? null : objectNameParts(table.name);
        if (parts !== null && parts.length >= 2 && aliases.has(foldName(parts[0]!.value))) continue;
        if (table !== null && parts !== null) {
          const alias = isAstObject(table.alias) ? identPart(table.alias.name) : null;
          aliases.add(foldName((alias ?? parts[parts.length - 1]!).value));
        } else if (isAstObject(factor)) {
          const inner = factor[variantOf(factor) ?? ''];
          const alias = isAstObject(inner) && isAstObject(inner.alias) ? identPart(inner.alias.name) : null;
          if (alias !== null) aliases.add(foldName(alias.value));
        }
        this.walk(factor, ctes);
      }
    }
  }

  private tableFactor(table: AstObject, ctes: CteNames): void {
    if (table.args != null) {
      const functionName = objectNameParts(table.name);
      // Databricks `STREAM(t)` reads table t incrementally.
      if (functionName?.length === 1 && functionName[0]!.value.toUpperCase() === 'STREAM') {
        const args = isAstObject(table.args) ? asArray(table.args.args) : [];
        for (const argument of args) {
          const expression = unnamedArgumentExpression(argument);
          if (isAstObject(expression) && isAstObject(expression.Identifier)) {
            this.addSource([identPart(expression.Identifier)!]);
          } else if (isAstObject(expression) && Array.isArray(expression.CompoundIdentifier)) {
            this.addSource(
              objectNameParts(expression.CompoundIdentifier.map((part) => ({ Identifier: part }))),
            );
          }
        }
        return;
      }
      // A table-valued function (`generate_series(1, 3)`, ClickHouse `numbers(10)`): only its arguments can read.
      this.walk(table.args, ctes);
      return;
    }
    const parts = objectNameParts(table.name);
    if (parts === null) {
      this.unknownNames += 1;
      return;
    }
    if (parts.length === 1 && ctes.has(foldName(parts[0]!.value))) return;
    this.addSource(parts);
  }
}

interface NamedRelation {
  readonly parts: NamePart[];
  /** Folded explicit alias, or null. */
  readonly alias: string | null;
}

/** The plain tables among table factors, with their aliases. */
function namedRelations(factors: readonly unknown[]): NamedRelation[] {
  const relations: NamedRelation[] = [];
  for (const factor of factors) {
    if (!isAstObject(factor) || !isAstObject(factor.Table) || factor.Table.args != null) continue;
    const parts = objectNameParts(factor.Table.name);
    if (parts === null) continue;
    const alias = isAstObject(factor.Table.alias) ? identPart(factor.Table.alias.name) : null;
    relations.push({ parts, alias: alias === null ? null : foldName(alias.value) });
  }
  return relations;
}

/** The relation a qualifier (`t`, `alias`, `schema.t`) names in an UPDATE. */
function findRelation(
  relations: readonly NamedRelation[],
  qualifier: readonly NamePart[],
): NamedRelation | undefined {
  const folded = qualifier.map((part) => foldName(part.value));
  if (folded.length === 1) {
    const byAlias = relations.find((relation) => relation.alias === folded[0]);
    if (byAlias) return byAlias;
  }
  return relations.find(
    (relation) =>
      relation.alias === null &&
      relation.parts.length >= folded.length &&
      folded.every(
        (part, index) =>
          foldName(relation.parts[relation.parts.length - folded.length + index]!.value) === part,
      ),
  );
}

function joinRelation(join: unknown): unknown {
  return isAstObject(join) ? join.relation : undefined;
}

/** ClickHouse `ARRAY JOIN` / `LEFT ARRAY JOIN` unnest arrays of the rows joined so far. */
export function isArrayJoin(operator: unknown): boolean {
  const variant = variantOf(operator);
  return variant !== null && variant.endsWith('ArrayJoin');
}

/** The name of a `{ Table: { name } }` table factor. */
function tableFactorName(factor: unknown): NamePart[] | null {
  if (!isAstObject(factor) || !isAstObject(factor.Table)) return null;
  return objectNameParts(factor.Table.name);
}

/** `SELECT … INTO t` (T-SQL, Redshift, Postgres): the INTO of the left-most SELECT of the body. */
function selectInto(body: unknown): AstObject | null {
  let current = body;
  for (let depth = 0; depth < 50 && isAstObject(current); depth += 1) {
    if (isAstObject(current.Select)) return isAstObject(current.Select.into) ? current.Select.into : null;
    if (isAstObject(current.SetOperation)) current = current.SetOperation.left;
    else if (isAstObject(current.Query)) current = current.Query.body;
    else return null;
  }
  return null;
}

function columnNames(columns: unknown): (NamePart | null)[] | null {
  const list = asArray(columns);
  if (list.length === 0) return null;
  return list.map((column) => {
    // `[[{ Identifier }]]` (ObjectName per column) in current releases, `[{ value }]` in older ones.
    const parts = Array.isArray(column)
      ? objectNameParts(column)
      : identPart(column)
        ? [identPart(column)!]
        : null;
    return parts === null ? null : parts[parts.length - 1]!;
  });
}

/** Redshift (like SQL Server) creates a session temp table for any name starting with `#`. */
function isHashTemporary(platform: SqlPlatform, name: readonly NamePart[] | null): boolean {
  return platform === 'redshift' && name !== null && name[name.length - 1]!.value.startsWith('#');
}

function nameKey(parts: readonly NamePart[]): string {
  return parts.map((part) => foldName(part.value)).join('.');
}
