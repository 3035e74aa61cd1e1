import type { ColumnReference, StatementLineage, StatementType, TableReference } from './lineage.types.js';
import { SessionLineageResolver } from './session-lineage.resolver.js';

function table(name: string, platform = 'snowflake'): TableReference {
  return { database: 'DB', schema: 'S', name, datasetId: `${platform}://default/db.s.${name}` };
}

function column(of: TableReference, name: string): ColumnReference {
  return { table: of, column: name };
}

function statement(
  type: StatementType,
  sources: TableReference[],
  targets: TableReference[],
  options: { temporary?: boolean; columns?: [string, ColumnReference[]][] } = {},
): StatementLineage {
  return {
    type,
    sources,
    targets,
    temporary: options.temporary,
    columns: (options.columns ?? []).map(([name, columnSources]) => ({
      target: { table: targets[0] ?? null, column: name },
      sources: columnSources,
    })),
  };
}

const raw = table('RAW');
const other = table('OTHER');
const temp = table('TMP');
const temp2 = table('TMP2');
const target = table('TARGET');

describe('SessionLineageResolver', () => {
  it('rewrites reads of a temp table to its inputs, transitively, and says which statements wrote only temps', () => {
    const resolver = new SessionLineageResolver();
    const first = resolver.resolve(statement('create_table_as_select', [raw], [temp], { temporary: true }));
    const second = resolver.resolve(
      statement('create_table_as_select', [temp, other], [temp2], { temporary: true }),
    );
    const third = resolver.resolve(statement('insert', [temp2], [target]));
    expect([first.writesOnlyTemporary, second.writesOnlyTemporary, third.writesOnlyTemporary]).toEqual([
      true,
      true,
      false,
    ]);
    expect(second.sources).toEqual([raw, other]);
    expect(third.sources).toEqual([raw, other]);
    expect(resolver.temporaryInputs().get(temp2.datasetId)).toEqual([raw, other]);
  });

  it('traces column lineage through the temp table and drops columns it cannot trace', () => {
    const resolver = new SessionLineageResolver();
    resolver.resolve(
      statement('create_table_as_select', [raw], [temp], {
        temporary: true,
        columns: [['A', [column(raw, 'X')]]],
      }),
    );
    const insert = resolver.resolve(
      statement('insert', [temp], [target], {
        columns: [
          ['A2', [column(temp, 'A')]],
          ['B2', [column(temp, 'B')]],
        ],
      }),
    );
    expect(insert.columns).toEqual([
      { target: { table: target, column: 'A2' }, sources: [column(raw, 'X')] },
    ]);
  });

  it('adds the inputs of later INSERTs into a temp table, and treats a later real CREATE of the name as a real table', () => {
    const resolver = new SessionLineageResolver();
    resolver.resolve(statement('create_table', [], [temp], { temporary: true }));
    const fill = resolver.resolve(statement('insert', [raw], [temp]));
    expect(fill.writesOnlyTemporary).toBe(true);
    resolver.resolve(statement('insert', [other], [temp]));
    expect(resolver.resolve(statement('insert', [temp], [target])).sources).toEqual([raw, other]);
    resolver.resolve(statement('create_table_as_select', [raw], [temp]));
    expect(resolver.resolve(statement('select', [temp], [])).sources).toEqual([temp]);
  });

  it('drops reads of temp tables it never saw written (#names, or the isTemporary option)', () => {
    const hash = table('#T', 'redshift');
    expect(new SessionLineageResolver().resolve(statement('insert', [hash, raw], [target])).sources).toEqual([
      raw,
    ]);
    const custom = new SessionLineageResolver({
      isTemporary: (candidate) => candidate.name.startsWith('TMP'),
    });
    expect(custom.resolve(statement('select', [temp, raw], [])).sources).toEqual([raw]);
  });

  it('keeps sessions apart: a new resolver knows no temp tables', () => {
    const first = new SessionLineageResolver();
    first.resolve(statement('create_table_as_select', [raw], [temp], { temporary: true }));
    expect(new SessionLineageResolver().resolve(statement('select', [temp], [])).sources).toEqual([temp]);
  });
});
