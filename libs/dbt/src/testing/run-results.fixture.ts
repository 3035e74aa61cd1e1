import {
  DBT_VERSION_BY_RUN_RESULTS,
  genericTestName,
  jaffleShopProject,
  MANIFEST_BY_RUN_RESULTS,
  modelAlias,
  modelId,
  schemaUrl,
  testId,
  type JaffleShopOptions,
} from './jaffle-shop.project.js';

type Json = Record<string, unknown>;

export const RUN_RESULTS_SCHEMA_VERSIONS = [1, 2, 3, 4, 5, 6] as const;

export interface RunResultsFixtureOptions extends JaffleShopOptions {
  /**
   * The dbt command: `build` (seed, models, tests, unit tests), `run` (models), `test` (tests), or
   * `generate` (`dbt docs generate`: every model and test compiled, all `success`, `message: null`).
   */
  readonly which?: 'build' | 'run' | 'test' | 'generate';
  /** Make one test fail: its name (`not_null_orders_order_id`), rows found, and optionally status/message. */
  readonly failingTest?: {
    readonly name: string;
    readonly failures?: number;
    readonly message?: string;
    readonly status?: string;
  };
  readonly elapsedTime?: number;
}

/**
 * run_results.json of the jaffle-shop-like project for schema `version` (1–6): `failures` from v2,
 * `invocation_command` in args from v4 (dbt 1.6), `compiled`/`compiled_code`/`relation_name` from v5,
 * `batch_results` and `Thread-1 (worker)` thread names in v6, unit tests in v6 builds.
 */
export function buildRunResults(version: number, options: RunResultsFixtureOptions = {}): Json {
  if (!Number.isInteger(version) || version < 1 || version > 6) {
    throw new RangeError(`run_results schema versions are 1–6, got ${version}`);
  }
  const which = options.which ?? 'build';
  const manifestVersion = MANIFEST_BY_RUN_RESULTS[version]!;
  const project = jaffleShopProject(manifestVersion, options);
  const resolved = project.options;
  const snowflake = resolved.adapterType === 'snowflake';
  let clock = Date.parse('2026-03-12T05:46:44.000Z');
  const tick = (milliseconds: number) => {
    const start = new Date(clock).toISOString();
    clock += milliseconds;
    return { start, end: new Date(clock).toISOString() };
  };

  const results: Json[] = [];
  const add = (
    uniqueId: string,
    fields: {
      status: string;
      message: string | null;
      failures: number | null;
      adapterResponse: Json;
      compiledCode: string | null;
      relationName: string | null;
    },
  ) => {
    const compile = tick(5);
    const execute = tick(which === 'generate' ? 0 : 40);
    results.push({
      status: fields.status,
      timing: [
        { name: 'compile', started_at: compile.start, completed_at: compile.end },
        { name: 'execute', started_at: execute.start, completed_at: execute.end },
      ],
      thread_id: version >= 6 ? 'Thread-1 (worker)' : 'Thread-1',
      execution_time: which === 'generate' ? 0.006 : 0.045,
      adapter_response: fields.adapterResponse,
      message: fields.message,
      ...(version >= 2 ? { failures: fields.failures } : {}),
      unique_id: uniqueId,
      ...(version >= 5
        ? { compiled: true, compiled_code: fields.compiledCode, relation_name: fields.relationName }
        : {}),
      ...(version >= 6 ? { batch_results: null } : {}),
    });
  };
  const relation = (schema: string, name: string) =>
    snowflake ? `${resolved.database}.${schema}.${name}` : `"${resolved.database}"."${schema}"."${name}"`;
  const modelResponse = (rows: number, view: boolean): Json => {
    if (which === 'generate') return {};
    if (snowflake)
      return {
        _message: 'SUCCESS 1',
        code: 'SUCCESS',
        rows_affected: 1,
        query_id: '01b2c3d4-0000-1111-0000-000000000001',
      };
    return view
      ? { _message: 'CREATE VIEW', code: 'CREATE VIEW', rows_affected: -1 }
      : { _message: `SELECT ${rows}`, code: 'SELECT', rows_affected: rows };
  };

  const runsModels = which === 'build' || which === 'run' || which === 'generate';
  const runsTests = which === 'build' || which === 'test' || which === 'generate';
  if (which === 'build') {
    add(`seed.${resolved.projectName}.${project.seedName}`, {
      status: 'success',
      message: 'INSERT 250',
      failures: null,
      adapterResponse: snowflake
        ? { _message: 'SUCCESS 250', code: 'SUCCESS', rows_affected: 250 }
        : { _message: 'INSERT 250', code: 'INSERT', rows_affected: 250 },
      compiledCode: null,
      relationName: relation(resolved.schema, project.seedName),
    });
  }
  if (runsModels) {
    for (const model of project.models) {
      // Ephemeral models are inlined into their children and never run.
      if (model.materialized === 'ephemeral') continue;
      const response = modelResponse(1000, model.materialized === 'view');
      add(modelId(project, model.name, model.version), {
        status: 'success',
        message: which === 'generate' ? null : (response._message as string),
        failures: null,
        adapterResponse: response,
        compiledCode: model.sql.replace(/\{\{[^}]*\}\}/g, relation(resolved.sourceSchema, 'x')),
        relationName: relation(resolved.schema, modelAlias(model)),
      });
    }
  }
  if (runsTests) {
    for (const test of project.tests) {
      const name = test.kind === 'generic' ? genericTestName(test) : test.name;
      const failing = options.failingTest?.name === name ? options.failingTest : undefined;
      const failures = failing ? (failing.failures ?? 1) : 0;
      add(testId(project, test, manifestVersion), {
        status: which === 'generate' ? 'success' : failing ? (failing.status ?? 'fail') : 'pass',
        message:
          which === 'generate' || !failing
            ? null
            : (failing.message ??
              `Got ${failures} result${failures === 1 ? '' : 's'}, configured to fail if != 0`),
        failures: which === 'generate' ? null : failures,
        adapterResponse: {},
        compiledCode: `select * from ${relation(resolved.schema, 'orders')} where 1 = 0`,
        relationName: null,
      });
    }
    if (version >= 6 && which !== 'generate') {
      add(`unit_test.${resolved.projectName}.customers.test_lifetime_spend_sums_orders`, {
        status: 'pass',
        message: null,
        failures: 0,
        adapterResponse: {},
        compiledCode: 'select 1',
        relationName: null,
      });
    }
  }
  const command = which === 'generate' ? 'docs generate' : which;
  return {
    metadata: {
      dbt_schema_version: schemaUrl('run-results', version),
      dbt_version: resolved.dbtVersion ?? DBT_VERSION_BY_RUN_RESULTS[version],
      generated_at: resolved.generatedAt,
      invocation_id: resolved.invocationId,
      ...(version >= 6 ? { invocation_started_at: resolved.generatedAt } : {}),
      env: { ...resolved.env },
    },
    results,
    elapsed_time: options.elapsedTime ?? 12.5,
    args: {
      ...(version <= 3 ? { rpc_method: which === 'generate' ? 'docs.generate' : which } : {}),
      log_format: 'default',
      profiles_dir: '/home/runner/.dbt',
      select: [],
      exclude: [],
      vars: {},
      write_json: true,
      which,
      ...(version >= 4 ? { invocation_command: `dbt ${command}` } : {}),
    },
  };
}
