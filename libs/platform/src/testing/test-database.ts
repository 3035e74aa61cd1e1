import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createServiceDataSource, migrateDataSource } from '../database/index.js';
import type { ServiceDefinition } from '../nest/service-definition.js';

/** Where test databases are created; any database on the server works as the admin connection. */
export function testAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The URL of another database on the same server as `url`. */
export function databaseUrlOn(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Runs `run` on one short-lived connection to `url` (for CREATE/DROP DATABASE, which need no pool). */
export async function withPostgresClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  return withPostgresClient(testAdminUrl(), run);
}

function slug(project: string): string {
  return project.replace(/[^a-z0-9]/gi, '_').toLowerCase();
}

function templateVariable(project: string): string {
  return `CARTOGRAPH_TEST_TEMPLATE_${slug(project).toUpperCase()}`;
}

/**
 * The template of this test run. Each run gets its own (named in an environment variable that Jest's
 * globalSetup hands to its workers), so two runs of one project never drop each other's template.
 */
export function templateName(project: string): string {
  return process.env[templateVariable(project)] ?? `cartograph_tpl_${slug(project)}`;
}

/** `<time base36>_<random>`: the time lets the stale clean-up spare databases another run is still using. */
function uniqueSuffix(): string {
  return `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

function newTemplateName(project: string): string {
  const name = `cartograph_tpl_${slug(project)}_${uniqueSuffix()}`;
  process.env[templateVariable(project)] = name;
  return name;
}

/** Drops this run's template (jest globalTeardown). */
export async function dropTemplateDatabase(project: string): Promise<void> {
  const name = templateName(project);
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/**
 * Creates this run's template of `project` and runs every migration of the given services into it, once per
 * test run (jest globalSetup). Test files then clone it, which takes milliseconds instead of migrating.
 */
export function createTemplateDatabase(project: string, definitions: ServiceDefinition[]): Promise<string> {
  return createStackTemplateDatabase(project, async (url) => {
    for (const definition of definitions) {
      await migrateDataSource(
        createServiceDataSource({
          url,
          schema: definition.schema,
          entities: definition.entities,
          migrations: definition.migrations,
          poolSize: 1,
          logging: ['error'],
        }),
      );
    }
  });
}

/** Creates this run's template of `project` and lets `migrate` fill it (e.g. `cartograph migrate` for stack tests). */
export async function createStackTemplateDatabase(
  project: string,
  migrate: (url: string) => Promise<void>,
): Promise<string> {
  const name = newTemplateName(project);
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  });
  const url = databaseUrlOn(testAdminUrl(), name);
  await migrate(url);
  return url;
}

/** A fresh database for one test file, cloned from the project's migrated template. */
export async function cloneTestDatabase(
  project: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `cartograph_t_${slug(project)}_${uniqueSuffix()}`;
  await admin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(project)}"`));
  return {
    url: databaseUrlOn(testAdminUrl(), name),
    drop: () =>
      admin(async (client) => void (await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))),
  };
}

/**
 * Drops databases left behind by crashed runs of this project: those more than two hours old (by the time
 * in their name, or without one). A parallel run's databases are younger, and in use ones refuse anyway.
 */
export async function dropStaleTestDatabases(project: string): Promise<void> {
  const cutoff = Date.now() - 2 * 3_600_000;
  await admin(async (client) => {
    const result = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname LIKE $2`,
      [`cartograph_t_${slug(project)}_%`, `cartograph_tpl_${slug(project)}%`],
    );
    for (const row of result.rows) {
      const created = /_([0-9a-z]{8,9})_[0-9a-f]{6}$/.exec(row.datname);
      if (created && parseInt(created[1]!, 36) > cutoff) {
        continue;
      }
      await client.query(`DROP DATABASE IF EXISTS "${row.datname}"`).catch(() => undefined);
    }
  });
}

export function testRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A key prefix per test file, so projects and files share one Redis without seeing each other. */
export function testRedisPrefix(project: string): string {
  return `test:${project}:${randomBytes(4).toString('hex')}`;
}
