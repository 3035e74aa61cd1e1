import { init as initParser, parse as parseWithSqlparser } from '@guanmingchiu/sqlparser-ts';
import {
  analyzeSql,
  fingerprintSql,
  initSqlLineage,
  parserCrashCount,
  platformDialect,
  type StatementLineage,
} from '@cartograph/sql-lineage';
import {
  generateQueryHistory,
  SQL_HISTORY_PLATFORMS,
  type QueryHistoryRow,
  type SqlHistoryPlatform,
} from '../lib/sql-history.generator.js';
import { formatNumber, renderTable } from '../lib/table.js';
import { atLeast, info, type Metrics, type Scenario } from '../scenario.js';

/** The targets, on one core. */
const ANALYZE_TARGET_PER_SECOND = 5_000;
const FINGERPRINT_TARGET_PER_SECOND = 50_000;

interface PlatformTally {
  rows: number;
  statements: number;
  characters: number;
  parseErrors: number;
  otherErrors: number;
  withLineage: number;
  milliseconds: number;
}

/** Median of three timed passes, in milliseconds, after one untimed warm-up pass. */
function timePasses(pass: () => void, passes: number): { median: number; runs: number[] } {
  pass();
  const runs: number[] = [];
  for (let index = 0; index < passes; index += 1) {
    const started = performance.now();
    pass();
    runs.push(performance.now() - started);
  }
  const sorted = [...runs].sort((left, right) => left - right);
  return { median: sorted[Math.floor(sorted.length / 2)]!, runs };
}

function cpuMilliseconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

export const sqlLineageScenario: Scenario = {
  name: 'sql-lineage',
  description:
    'SQL lineage of a generated query history on one core: analyzeSql ≥ 5,000/s, fingerprints ≥ 50,000/s',
  options: [
    { name: 'rows', description: 'history rows generated and analysed per pass', default: 20_000 },
    { name: 'seed', description: 'generator seed (same seed, same rows)', default: 1 },
    {
      name: 'repeat-ratio',
      description: 'share of rows repeating an earlier query shape with new literals',
      default: 0.95,
    },
    { name: 'passes', description: 'timed passes (the median is reported)', default: 3 },
  ],

  async run(context) {
    const { options } = context;
    const rowCount = options.number('rows', 20_000, { min: 100, max: 2_000_000 });
    const seed = options.number('seed', 1);
    const repeatRatio = options.number('repeat-ratio', 0.95, { min: 0, max: 1 });
    const passes = options.number('passes', 3, { min: 1, max: 15 });
    Object.assign(context.parameters, { rows: rowCount, seed, repeatRatio, passes });

    const generationStarted = performance.now();
    const rows: QueryHistoryRow[] = [...generateQueryHistory({ rows: rowCount, seed, repeatRatio })];
    const generationSeconds = (performance.now() - generationStarted) / 1000;
    const characters = rows.reduce((sum, row) => sum + row.text.length, 0);
    context.log(
      `generated ${formatNumber(rows.length)} history rows in ${formatNumber(generationSeconds)} s ` +
        `(mean ${formatNumber(characters / rows.length)} characters)`,
    );

    await initSqlLineage();
    const crashesBefore = parserCrashCount();

    // Every row is parsed: no cache by fingerprint, which is what the ingester would add on top.
    const analyzePass = (): void => {
      for (const row of rows) {
        analyzeSql(row.text, {
          platform: row.platform,
          defaultDatabase: row.defaultDatabase,
          defaultSchema: row.defaultSchema,
        });
      }
    };
    context.log(`analysing every row: warm-up, then ${passes} timed pass(es) on this thread`);
    const cpuBefore = cpuMilliseconds();
    const analyzeTiming = timePasses(analyzePass, passes);
    const analyzeCpu = (cpuMilliseconds() - cpuBefore) / (passes + 1);
    const analyzePerSecond = (rows.length / analyzeTiming.median) * 1000;
    context.log(
      `analyzeSql: median ${formatNumber(analyzeTiming.median)} ms per pass ` +
        `(${analyzeTiming.runs.map((run) => formatNumber(run)).join(', ')}), ${formatNumber(analyzePerSecond)} rows/s`,
    );

    // The ceiling: sqlparser-rs alone (parse and AST conversion to JavaScript), without any lineage work.
    await initParser();
    const parsePass = (): void => {
      for (const row of rows) {
        try {
          parseWithSqlparser(row.text, platformDialect(row.platform));
        } catch {
          // Unparsable rows cost their failed parse, as in analyzeSql.
        }
      }
    };
    const parseTiming = timePasses(parsePass, passes);
    const parsePerSecond = (rows.length / parseTiming.median) * 1000;
    context.log(
      `sqlparser-rs parse alone: median ${formatNumber(parseTiming.median)} ms, ${formatNumber(parsePerSecond)} rows/s ` +
        `(analyzeSql reaches ${formatNumber((100 * analyzePerSecond) / parsePerSecond)} % of it)`,
    );

    const fingerprintPass = (): void => {
      for (const row of rows) fingerprintSql(row.text, row.platform);
    };
    const fingerprintTiming = timePasses(fingerprintPass, passes);
    const fingerprintPerSecond = (rows.length / fingerprintTiming.median) * 1000;
    context.log(
      `fingerprintSql: median ${formatNumber(fingerprintTiming.median)} ms, ${formatNumber(fingerprintPerSecond)} rows/s`,
    );

    // One more (untimed per pass, timed per platform) pass for the breakdown and the outcome counts.
    const tallies = new Map<SqlHistoryPlatform, PlatformTally>(
      SQL_HISTORY_PLATFORMS.map((platform) => [
        platform,
        {
          rows: 0,
          statements: 0,
          characters: 0,
          parseErrors: 0,
          otherErrors: 0,
          withLineage: 0,
          milliseconds: 0,
        },
      ]),
    );
    const fingerprints = new Set<string>();
    let hexAttributed = 0;
    let dbtAttributed = 0;
    for (const row of rows) {
      const tally = tallies.get(row.platform)!;
      const started = performance.now();
      const analysis = analyzeSql(row.text, {
        platform: row.platform,
        defaultDatabase: row.defaultDatabase,
        defaultSchema: row.defaultSchema,
      });
      tally.milliseconds += performance.now() - started;
      tally.rows += 1;
      tally.characters += row.text.length;
      fingerprints.add(analysis.fingerprint);
      if (analysis.attributions.some((attribution) => attribution.tool === 'hex')) hexAttributed += 1;
      if (analysis.attributions.some((attribution) => attribution.tool === 'dbt')) dbtAttributed += 1;
      for (const statement of analysis.statements as StatementLineage[]) {
        tally.statements += 1;
        if (statement.error?.reason === 'parse_error') tally.parseErrors += 1;
        else if (statement.error) tally.otherErrors += 1;
        if (statement.sources.length + statement.targets.length > 0) tally.withLineage += 1;
      }
    }
    const tableRows = [...tallies]
      .filter(([, tally]) => tally.rows > 0)
      .map(([platform, tally]) => [
        platform,
        formatNumber(tally.rows),
        formatNumber(Math.round(tally.characters / tally.rows)),
        formatNumber(Math.round((tally.rows / tally.milliseconds) * 1000)),
        `${formatNumber((100 * tally.withLineage) / Math.max(1, tally.statements))}%`,
        `${formatNumber((100 * tally.parseErrors) / Math.max(1, tally.statements))}%`,
        formatNumber(tally.otherErrors),
      ]);
    context.log(
      `per platform (one pass, timed per call):\n${renderTable(
        ['platform', 'rows', 'mean chars', 'rows/s', 'with lineage', 'parse errors', 'other errors'],
        tableRows,
      )}`,
    );
    const statements = [...tallies.values()].reduce((sum, tally) => sum + tally.statements, 0);
    const parseErrors = [...tallies.values()].reduce((sum, tally) => sum + tally.parseErrors, 0);

    const metrics: Metrics = {
      analyze_rows_per_second: atLeast(Math.round(analyzePerSecond), 'rows/s', ANALYZE_TARGET_PER_SECOND),
      analyze_rows_per_cpu_second: info(Math.round((rows.length / analyzeCpu) * 1000), 'rows/cpu-s'),
      parse_only_rows_per_second: info(Math.round(parsePerSecond), 'rows/s'),
      fingerprint_rows_per_second: atLeast(
        Math.round(fingerprintPerSecond),
        'rows/s',
        FINGERPRINT_TARGET_PER_SECOND,
      ),
      statements_per_row: info(statements / rows.length, 'statements'),
      parse_error_share: info((100 * parseErrors) / statements, '%'),
      parser_crashes: info(parserCrashCount() - crashesBefore, 'crashes'),
      distinct_fingerprints: info(fingerprints.size, 'fingerprints'),
      hex_attributed_rows: info(hexAttributed, 'rows'),
      dbt_attributed_rows: info(dbtAttributed, 'rows'),
      mean_characters: info(Math.round(characters / rows.length), 'chars'),
      generation_seconds: info(generationSeconds, 's'),
    };
    return metrics;
  },
};
