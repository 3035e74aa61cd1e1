import { z } from 'zod';

/** Every environment variable a process reads is declared once, in a zod object whose keys are the variable names. */
export type EnvironmentModel = z.ZodObject<z.ZodRawShape>;

export class ConfigurationError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigurationError';
  }
}

/**
 * Parses the environment against one or more models and reports every problem at once,
 * so a misconfigured deployment is fixed in one round instead of one variable per restart.
 */
export function loadConfig<const Models extends readonly EnvironmentModel[]>(
  models: Models,
  environment: NodeJS.ProcessEnv = process.env,
): MergedOutput<Models> {
  const issues: string[] = [];
  const merged: Record<string, unknown> = {};
  for (const model of models) {
    // Empty strings mean "unset": compose files and Helm charts often render VAR="" for absent values.
    const input: Record<string, string | undefined> = {};
    for (const key of Object.keys(model.shape)) {
      const value = environment[key];
      input[key] = value === '' ? undefined : value;
    }
    const result = model.safeParse(input);
    if (result.success) {
      Object.assign(merged, result.data);
    } else {
      for (const issue of result.error.issues) {
        const name = issue.path.join('.') || '(environment)';
        const missing = issue.code === 'invalid_type' && input[String(issue.path[0])] === undefined;
        const description = (model.shape[String(issue.path[0])] as z.ZodType | undefined)?.description;
        // Never echo the received value: it may be a secret.
        issues.push(
          missing
            ? `${name}: is required${description ? ` (${description})` : ''}`
            : `${name}: ${issue.message}`,
        );
      }
    }
  }
  if (issues.length > 0) {
    throw new ConfigurationError(issues);
  }
  return merged as MergedOutput<Models>;
}

type UnionToIntersection<U> = (U extends unknown ? (argument: U) => void : never) extends (
  argument: infer I,
) => void
  ? I
  : never;

export type MergedOutput<Models extends readonly EnvironmentModel[]> = UnionToIntersection<
  z.output<Models[number]>
>;

export interface EnvironmentVariableDoc {
  name: string;
  description: string;
  required: boolean;
  defaultValue?: string;
}

/** Lists the variables of a model with their descriptions, for the README's configuration reference. */
export function describeEnvironment(model: EnvironmentModel): EnvironmentVariableDoc[] {
  return Object.entries(model.shape).map(([name, schema]) => {
    const zodSchema = schema as z.ZodType;
    const result = zodSchema.safeParse(undefined);
    const defaultValue = result.success && result.data !== undefined ? String(result.data) : undefined;
    return {
      name,
      description: zodSchema.description ?? '',
      required: !result.success,
      defaultValue,
    };
  });
}
