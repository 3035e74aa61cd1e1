/** Command-line `--name value`, `--name=value` and `--flag` options, read with typed accessors. */
export class Options {
  private readonly used = new Set<string>();

  constructor(private readonly values: ReadonlyMap<string, string | true>) {}

  has(name: string): boolean {
    this.used.add(name);
    return this.values.has(name);
  }

  string(name: string, fallback: string): string {
    this.used.add(name);
    const value = this.values.get(name);
    if (value === undefined) {
      return fallback;
    }
    if (value === true) {
      throw new Error(`--${name} needs a value`);
    }
    return value;
  }

  number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
    this.used.add(name);
    const raw = this.values.get(name);
    if (raw === undefined) {
      return fallback;
    }
    const value = raw === true ? Number.NaN : Number(raw.replace(/_/g, ''));
    if (
      !Number.isFinite(value) ||
      (range.min !== undefined && value < range.min) ||
      (range.max !== undefined && value > range.max)
    ) {
      const bounds = [
        range.min !== undefined ? `>= ${range.min}` : '',
        range.max !== undefined ? `<= ${range.max}` : '',
      ]
        .filter(Boolean)
        .join(' and ');
      throw new Error(
        `--${name} must be a number${bounds ? ` ${bounds}` : ''}, got ${raw === true ? 'no value' : JSON.stringify(raw)}`,
      );
    }
    return value;
  }

  boolean(name: string, fallback = false): boolean {
    this.used.add(name);
    const value = this.values.get(name);
    if (value === undefined) {
      return fallback;
    }
    if (value === true || value === 'true' || value === '1') {
      return true;
    }
    if (value === 'false' || value === '0') {
      return false;
    }
    throw new Error(`--${name} is a flag (true or false), got ${JSON.stringify(value)}`);
  }

  /** Options given on the command line that no scenario asked for (likely typos). */
  unused(): string[] {
    return [...this.values.keys()].filter((name) => !this.used.has(name));
  }
}

export interface ParsedArguments {
  positional: string[];
  options: Options;
}

/**
 * Splits argv into positional words (scenario names) and options. `--name value` takes the next word as the
 * value unless it is another option or a scenario name, so `--fresh search` is a flag and a scenario.
 */
export function parseArguments(argv: readonly string[], scenarioNames: ReadonlySet<string>): ParsedArguments {
  const positional: string[] = [];
  const values = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index]!;
    if (!argument.startsWith('--')) {
      positional.push(argument);
      continue;
    }
    const body = argument.slice(2);
    const equals = body.indexOf('=');
    if (equals >= 0) {
      values.set(body.slice(0, equals), body.slice(equals + 1));
      continue;
    }
    const next = argv[index + 1];
    if (next !== undefined && !next.startsWith('--') && !scenarioNames.has(next)) {
      values.set(body, next);
      index += 1;
    } else {
      values.set(body, true);
    }
  }
  return { positional, options: new Options(values) };
}
