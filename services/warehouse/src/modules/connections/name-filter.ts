import { compilePatterns, matchesFilter } from '@cartograph/platform/patterns';
import type { NameFilter } from '../connectors/warehouse-connector.js';
import type { WarehouseConnectionEntity } from './warehouse-connection.entity.js';

/**
 * The connection's include/exclude patterns as the connectors' NameFilter: database patterns match the
 * database name, schema patterns `database.schema`. Patterns were checked when they were saved.
 */
export function nameFilterOf(
  connection: Pick<
    WarehouseConnectionEntity,
    'includeDatabases' | 'excludeDatabases' | 'includeSchemas' | 'excludeSchemas'
  >,
): NameFilter {
  const includeDatabases = compilePatterns(connection.includeDatabases, 'includeDatabases');
  const excludeDatabases = compilePatterns(connection.excludeDatabases, 'excludeDatabases');
  const includeSchemas = compilePatterns(connection.includeSchemas, 'includeSchemas');
  const excludeSchemas = compilePatterns(connection.excludeSchemas, 'excludeSchemas');
  return {
    accepts(database: string, schema?: string): boolean {
      if (!matchesFilter(database, includeDatabases, excludeDatabases)) return false;
      return schema === undefined || matchesFilter(`${database}.${schema}`, includeSchemas, excludeSchemas);
    },
  };
}
