import 'reflect-metadata';
import { parseArguments } from './lib/options.js';
import { machineInfo, resultsDirectory, writeResult } from './lib/results.js';
import { metricsTable } from './lib/table.js';
import { targetMet, type Scenario, type ScenarioContext } from './scenario.js';
import { scenarios } from './scenarios/index.js';

function usage(): string {
  const lines = [
    'Usage: npm run bench -- [scenario ...] [--option value ...]',
    '',
    'Runs the named scenarios (all of them when none is named), prints a table per scenario and writes',
    `${resultsDirectory}<scenario>.json.`,
    '',
    'Common options:',
    '  --strict            exit with status 2 when a metric misses its target',
    '  --help              this text',
    '',
    'Scenarios:',
  ];
  for (const scenario of scenarios) {
    lines.push(`  ${scenario.name.padEnd(18)}${scenario.description}`);
    for (const option of scenario.options ?? []) {
      const fallback = option.default === undefined ? '' : ` (default ${String(option.default)})`;
      lines.push(`      --${option.name.padEnd(16)}${option.description}${fallback}`);
    }
  }
  return lines.join('\n');
}

function contextFor(scenario: Scenario, options: ScenarioContext['options']): ScenarioContext {
  const started = performance.now();
  return {
    options,
    parameters: {},
    log(message) {
      const elapsed = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
      process.stdout.write(`[${scenario.name} ${elapsed}s] ${message}\n`);
    },
  };
}

async function main(): Promise<number> {
  const names = new Set(scenarios.map((scenario) => scenario.name));
  const { positional, options } = parseArguments(process.argv.slice(2), names);
  if (options.has('help') || positional.includes('help')) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const unknown = positional.filter((name) => !names.has(name));
  if (unknown.length > 0) {
    process.stderr.write(`Unknown scenario(s): ${unknown.join(', ')}\n\n${usage()}\n`);
    return 1;
  }
  const selected =
    positional.length > 0 ? scenarios.filter((scenario) => positional.includes(scenario.name)) : scenarios;
  const strict = options.boolean('strict');

  let missed = 0;
  let failed = 0;
  for (const scenario of selected) {
    const context = contextFor(scenario, options);
    context.log(`starting: ${scenario.description}`);
    const date = new Date().toISOString();
    try {
      const metrics = await scenario.run(context);
      const path = await writeResult({
        scenario: scenario.name,
        date,
        machine: machineInfo(),
        metrics,
        parameters: context.parameters,
      });
      process.stdout.write(`\n${scenario.name}\n${metricsTable(metrics)}\n\nwritten to ${path}\n\n`);
      missed += Object.values(metrics).filter((metric) => targetMet(metric) === false).length;
    } catch (error) {
      failed += 1;
      process.stderr.write(
        `\n${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n\n`,
      );
    }
  }
  const unused = options.unused();
  if (unused.length > 0) {
    process.stderr.write(
      `warning: option(s) not used by any scenario: ${unused.map((name) => `--${name}`).join(', ')}\n`,
    );
  }
  if (failed > 0) {
    return 1;
  }
  return strict && missed > 0 ? 2 : 0;
}

// The in-process services keep handles (pools, timers) open; exit explicitly once every scenario closed its own.
main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
