import type { Options } from './lib/options.js';

/** How a metric is judged against its target: `<=` (lower is better) or `>=` (higher is better). */
export type TargetOp = '<=' | '>=';

export interface Metric {
  value: number;
  unit: string;
  /** null for informational metrics. */
  target: number | null;
  op: TargetOp | null;
}

export type Metrics = Record<string, Metric>;

export interface OptionSpec {
  name: string;
  description: string;
  default?: string | number | boolean;
}

export interface ScenarioContext {
  /** `--name value` / `--flag` arguments given after the scenario names. */
  options: Options;
  /** A progress line, prefixed with the scenario name and the time since it started. */
  log(message: string): void;
  /** Settings the run used (rate, rows, …); written to the result file beside the metrics. */
  parameters: Record<string, string | number | boolean>;
}

/**
 * One benchmark: `bench/src/scenarios/<name>.scenario.ts` exports it, `scenarios/index.ts` lists it.
 * `run` owns everything it starts (databases, servers) and stops it before returning or throwing.
 */
export interface Scenario {
  name: string;
  description: string;
  /** Shown by `--help`. */
  options?: OptionSpec[];
  run(context: ScenarioContext): Promise<Metrics>;
}

/** An informational metric: recorded, never judged. */
export function info(value: number, unit: string): Metric {
  return { value, unit, target: null, op: null };
}

/** A metric that meets its target when `value <= target`. */
export function atMost(value: number, unit: string, target: number): Metric {
  return { value, unit, target, op: '<=' };
}

/** A metric that meets its target when `value >= target`. */
export function atLeast(value: number, unit: string, target: number): Metric {
  return { value, unit, target, op: '>=' };
}

/** true / false when the metric has a target, null when it is informational. */
export function targetMet(metric: Metric): boolean | null {
  if (metric.target === null || metric.op === null) {
    return null;
  }
  if (!Number.isFinite(metric.value)) {
    return false;
  }
  return metric.op === '<=' ? metric.value <= metric.target : metric.value >= metric.target;
}
