import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigurationError } from '@cartograph/platform/config';
import { dbtInspect } from './commands/dbt-inspect.command.js';
import { createKey } from './commands/keys.command.js';
import { LINEAGE_DIALECTS, LineageUsageError, lineage } from './commands/lineage.command.js';
import { migrateAll } from './commands/migrate.command.js';
import { push, PUSH_EXIT } from './commands/push.command.js';
import { serve } from './commands/serve.command.js';
import { status } from './commands/status.command.js';
import { UpError, up } from './commands/up.command.js';
import { configurationReference, withReference } from './commands/config-reference.command.js';
import { findService, repositoryRoot, servicePath } from './service-registry.js';

const program = new Command()
  .name('cartograph')
  .description('Cartograph: a federated metadata catalog for the modern data stack.')
  .showHelpAfterError();

program
  .command('up')
  .description(
    'Run the whole stack locally (what `npm start` runs): migrate, then every service, worker and the gateway',
  )
  .action(async () => up());

program
  .command('serve')
  .description('Run the GraphQL API of one service (gateway, catalog, …); the container entry point')
  .argument('<service>')
  .action(async (service: string) => serve(service, 'api'));

program
  .command('worker')
  .description('Run the worker of one service (jobs, event consumers, outbox relay)')
  .argument('<service>')
  .action(async (service: string) => serve(service, 'worker'));

program
  .command('migrate')
  .description('Run every service’s pending migrations against DATABASE_URL, then exit')
  .action(async () => {
    const url = process.env.DATABASE_URL;
    if (!url) {
      throw new UpError('DATABASE_URL is not set');
    }
    await migrateAll(url, (line) => process.stdout.write(`${line}\n`));
  });

program
  .command('compose')
  .description('Compose services/gateway/supergraph.graphql from every committed services/*/schema.graphql')
  .action(async () => {
    const gateway = findService('gateway');
    const module = (await import(pathToFileURL(servicePath(gateway, gateway.commands.compose!)).href)) as {
      composeCommand: () => void;
    };
    module.composeCommand();
  });

program
  .command('config')
  .description('Print the configuration reference (every environment variable, from the zod models)')
  .option('--write-readme', 'update the reference block in README.md instead')
  .action(async (options: { writeReadme?: boolean }) => {
    const reference = await configurationReference();
    if (!options.writeReadme) {
      process.stdout.write(reference);
      return;
    }
    const readme = join(repositoryRoot(), 'README.md');
    writeFileSync(readme, withReference(readFileSync(readme, 'utf8'), reference));
    process.stdout.write(`updated ${readme}\n`);
  });

const connection = [
  new Option('--url <url>', 'gateway URL').env('CARTOGRAPH_URL'),
  new Option('--api-key <key>', 'API key (default: the local admin key of `npm start`)').env(
    'CARTOGRAPH_API_KEY',
  ),
];

const statusCommand = program
  .command('status')
  .description('Health of every service, through the gateway')
  .action(async (options: { url?: string; apiKey?: string }) => {
    process.exitCode = await status(options);
  });
connection.forEach((option) => statusCommand.addOption(option));

const keys = program.command('keys').description('Manage API keys (admin)');
keys
  .command('bootstrap')
  .description(
    'Create the first admin key directly in the database (DATABASE_URL) when none exists; prints it',
  )
  .action(async () => {
    const catalog = findService('catalog');
    const module = (await import(
      pathToFileURL(servicePath(catalog, catalog.commands['bootstrap-admin-key']!)).href
    )) as {
      bootstrapAdminKey: () => Promise<string | null>;
    };
    const key = await module.bootstrapAdminKey();
    process.stdout.write(
      key ? `${key}\n` : 'An active API key exists already; create more with "cartograph keys create".\n',
    );
  });
const createCommand = keys
  .command('create')
  .description('Create an API key; it is printed once')
  .requiredOption('--name <name>', 'what the key is for')
  .addOption(
    new Option('--role <role>', 'viewer, editor or admin')
      .choices(['viewer', 'editor', 'admin'])
      .default('viewer'),
  )
  .action(async (options: { name: string; role: string; url?: string; apiKey?: string }) =>
    createKey(options),
  );
connection.forEach((option) => createCommand.addOption(option));

const dbt = program
  .command('dbt')
  .description('dbt artifacts without a server: `dbt inspect <files…>` summarises them as JSON');
dbt
  .command('inspect')
  .description(
    'Summarise dbt artifacts as JSON, without a server: schema versions, resources per type, tests, columns, and each model, seed, snapshot and source with its dataset id',
  )
  .argument('<files...>', 'artifacts (.json or .json.gz), or directories such as target/')
  .option('--instance <name>', 'warehouse instance in dataset ids (default: default)')
  .option('--adapter <type>', 'adapter type (snowflake, bigquery, …) for manifests that do not name theirs')
  .addHelpText(
    'after',
    '\nExit status: 0 when every file was read, 1 when any could not be (its error is in the summary).',
  )
  .action(async (files: string[], options: { instance?: string; adapter?: string }) => {
    process.exitCode = await dbtInspect(files, options);
  });

program
  .command('lineage')
  .description(
    'Read SQL on stdin and print its table and column lineage as JSON, without a server: what the warehouse sync would make of a statement',
  )
  .option('--dialect <name>', `SQL dialect: ${LINEAGE_DIALECTS.join(', ')} (default: postgres)`)
  .option('--database <name>', "the session's current database, for names without one")
  .option(
    '--schema <name>',
    "the session's current schema, for names without one (default: public on postgres and redshift)",
  )
  .option(
    '--jsonl',
    'read lines {id, dialect, sql, default_db, default_schema}; write one result line per input with its id',
  )
  .addHelpText(
    'after',
    [
      '',
      'Output: {"statements": [{"type", "sources", "targets", "columns", "attributions", "error"}]}, tables as',
      'database.schema.table folded the way the platform folds names (as in dataset ids).',
      'Exit status: 0 (statements that cannot be parsed carry an error), 2 unknown dialect.',
    ].join('\n'),
  )
  .action(async (options: { dialect?: string; database?: string; schema?: string; jsonl?: boolean }) => {
    try {
      process.exitCode = await lineage(options);
    } catch (error) {
      if (!(error instanceof LineageUsageError)) throw error;
      process.stderr.write(`cartograph lineage: ${error.message}\n`);
      process.exitCode = 2;
    }
  });

program
  .command('push')
  .description(
    'Upload dbt artifacts to the dbt-artifacts service and wait until they are applied; the last step of a dbt job: `dbt build && cartograph push target/`',
  )
  .argument('[paths...]', 'a dbt target directory, or artifact files (default: target)')
  .addOption(new Option('--url <url>', 'gateway URL (default: http://127.0.0.1:4000)').env('CARTOGRAPH_URL'))
  .addOption(new Option('--api-key <key>', 'an editor API key (required)').env('CARTOGRAPH_API_KEY'))
  .option(
    '--project <name>',
    'dbt project name, instead of the manifest’s (needed for a set without a manifest when several projects are known)',
  )
  .option('--instance <name>', 'warehouse instance in dataset ids (default: the project’s, else default)')
  .option('--no-wait', 'stop once the upload is accepted')
  .addOption(
    new Option('--timeout <seconds>', 'how long to wait for the set to be applied')
      .default(600)
      .argParser((value) => {
        const seconds = Number(value);
        if (!Number.isFinite(seconds) || seconds <= 0) {
          throw new InvalidArgumentError('a positive number of seconds');
        }
        return seconds;
      }),
  )
  .addHelpText(
    'after',
    [
      '',
      'Exit status: 0 applied, or unchanged (received before)',
      '             1 refused, or failed to apply (the error names the file and the JSON path)',
      '             2 usage, missing or refused API key, unreachable gateway, server error, timeout',
    ].join('\n'),
  )
  // Usage errors exit 2, like the other failures to push, so a job can tell them from bad artifacts (1).
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : PUSH_EXIT.notPushed))
  .action(
    async (
      paths: string[],
      options: {
        url?: string;
        apiKey?: string;
        project?: string;
        instance?: string;
        wait: boolean;
        timeout: number;
      },
    ) => {
      process.exitCode = await push(paths, options);
    },
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof UpError || error instanceof ConfigurationError) {
    process.stderr.write(`\n${error.message}\n\n`);
    process.exit(1);
  }
  process.stderr.write(`cartograph: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
