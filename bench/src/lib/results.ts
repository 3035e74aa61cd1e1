import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Metrics } from '../scenario.js';

/** `bench/results/`, from the compiled `bench/dist/src/lib/results.js`. */
export const resultsDirectory = fileURLToPath(new URL('../../../results/', import.meta.url));

export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
}

export function machineInfo(): Machine {
  const processors = cpus();
  return {
    cpu: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export interface ScenarioResult {
  scenario: string;
  date: string;
  machine: Machine;
  metrics: Metrics;
  parameters: Record<string, string | number | boolean>;
}

/** Writes `bench/results/<scenario>.json` and returns its path. */
export async function writeResult(result: ScenarioResult, directory = resultsDirectory): Promise<string> {
  await mkdir(directory, { recursive: true });
  const path = `${directory}${result.scenario}.json`;
  // JSON has no NaN/Infinity; a metric that could not be measured is written as null.
  const json = JSON.stringify(
    result,
    (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? null : value),
    2,
  );
  await writeFile(path, `${json}\n`);
  return path;
}
