import { badUserInput } from '@cartograph/platform/graphql';
import {
  compilePatterns,
  matchesFilter,
  PatternError,
  type CompiledPattern,
} from '@cartograph/platform/patterns';
import type { HexDataConnectionMapping, HexConnectionEntity } from './hex-connection.entity.js';
import type { HexConnectionOptionsInput, HexDataConnectionMappingInput } from './hex-connection.model.js';

// Connection options: checked when saved (a bad one changes nothing and says why), applied by the sync.

export type HexConnectionOptions = Pick<
  HexConnectionEntity,
  | 'includePatterns'
  | 'excludePatterns'
  | 'categories'
  | 'statuses'
  | 'includeComponents'
  | 'includeArchived'
  | 'includeTrashed'
  | 'includeDrafts'
  | 'categoriesAsTags'
  | 'statusesAsTags'
  | 'collectionsAsTags'
  | 'includeOwners'
  | 'markDeleted'
  | 'fullSyncIntervalHours'
>;

export const DEFAULT_HEX_OPTIONS: HexConnectionOptions = {
  includePatterns: [],
  excludePatterns: [],
  categories: [],
  statuses: [],
  includeComponents: true,
  includeArchived: false,
  includeTrashed: false,
  includeDrafts: true,
  categoriesAsTags: true,
  statusesAsTags: true,
  collectionsAsTags: true,
  includeOwners: true,
  markDeleted: true,
  fullSyncIntervalHours: 24,
};

const PLATFORM = /^[a-z][a-z0-9_-]{0,39}$/;

function patterns(values: string[] | null | undefined, argument: string): string[] {
  try {
    return compilePatterns(values, `options.${argument}`).map((pattern) => pattern.source);
  } catch (error) {
    if (error instanceof PatternError) throw badUserInput(error.message, { argument: `options.${argument}` });
    throw error;
  }
}

function names(values: string[] | null | undefined, argument: string): string[] {
  const list = (values ?? []).map((value) => value.trim()).filter(Boolean);
  const long = list.find((value) => value.length > 200);
  if (long) throw badUserInput(`options.${argument}: "${long.slice(0, 40)}…" is longer than 200 characters`);
  return [...new Set(list)];
}

/** The options as saved: `input` over `current` (the defaults for a new connection). */
export function checkOptions(
  input: HexConnectionOptionsInput | null | undefined,
  current: HexConnectionOptions = DEFAULT_HEX_OPTIONS,
): HexConnectionOptions {
  const options: HexConnectionOptions = { ...current };
  if (!input) return options;
  if (input.includePatterns != null)
    options.includePatterns = patterns(input.includePatterns, 'includePatterns');
  if (input.excludePatterns != null)
    options.excludePatterns = patterns(input.excludePatterns, 'excludePatterns');
  if (input.categories != null) options.categories = names(input.categories, 'categories');
  if (input.statuses != null) options.statuses = names(input.statuses, 'statuses');
  for (const flag of [
    'includeComponents',
    'includeArchived',
    'includeTrashed',
    'includeDrafts',
    'categoriesAsTags',
    'statusesAsTags',
    'collectionsAsTags',
    'includeOwners',
    'markDeleted',
  ] as const) {
    const value = input[flag];
    if (value != null) options[flag] = value;
  }
  if (input.fullSyncIntervalHours != null) {
    const hours = input.fullSyncIntervalHours;
    if (!Number.isInteger(hours) || hours < 0 || hours > 24 * 90) {
      throw badUserInput(`options.fullSyncIntervalHours must be from 0 to 2160 hours, got ${hours}`, {
        argument: 'options.fullSyncIntervalHours',
      });
    }
    options.fullSyncIntervalHours = hours;
  }
  return options;
}

export function checkDataConnections(
  input: HexDataConnectionMappingInput[] | null | undefined,
): Record<string, HexDataConnectionMapping> {
  const mappings: Record<string, HexDataConnectionMapping> = {};
  for (const entry of input ?? []) {
    const id = entry.dataConnectionId.trim();
    const platform = entry.platform.trim().toLowerCase();
    if (!id)
      throw badUserInput('dataConnections: dataConnectionId is empty', { argument: 'dataConnections' });
    if (!PLATFORM.test(platform)) {
      throw badUserInput(
        `dataConnections: "${platform.slice(0, 40)}" is not a platform name (snowflake, bigquery, …)`,
        {
          argument: 'dataConnections',
        },
      );
    }
    mappings[id] = {
      platform: platform === 'postgresql' ? 'postgres' : platform,
      instance: entry.instance?.trim() || null,
      defaultDatabase: entry.defaultDatabase?.trim() || null,
      defaultSchema: entry.defaultSchema?.trim() || null,
    };
  }
  return mappings;
}

/** The compiled filters of a connection, for the sync. */
export interface ProjectFilter {
  include: CompiledPattern[];
  exclude: CompiledPattern[];
}

export function projectFilter(
  options: Pick<HexConnectionOptions, 'includePatterns' | 'excludePatterns'>,
): ProjectFilter {
  return {
    include: compilePatterns(options.includePatterns, 'includePatterns'),
    exclude: compilePatterns(options.excludePatterns, 'excludePatterns'),
  };
}

/**
 * Whether a project passes the patterns. Each pattern is tried on the title and on every collection path in dot
 * notation (`<collection>.<title>`): an include pattern takes the project if it matches any of them, an exclude
 * pattern drops it if it matches any of them.
 */
export function matchesProjectFilter(
  filter: ProjectFilter,
  project: { title: string; collections: readonly string[] },
): boolean {
  const candidates = [
    project.title,
    ...project.collections.map((collection) => `${collection}.${project.title}`),
  ];
  if (filter.include.length > 0 && !candidates.some((value) => matchesFilter(value, filter.include, []))) {
    return false;
  }
  return !candidates.some((value) => filter.exclude.some((pattern) => pattern.regex.test(value)));
}
