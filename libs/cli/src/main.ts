import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command, Option } from 'commander';
import { ConfigurationError } from '@cartograph/platform/config';
import { createKey } from './commands/keys.command.js';
import { migrateAll } from './commands/migrate.command.js';
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
