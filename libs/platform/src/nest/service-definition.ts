import type { DataSourceOptions } from 'typeorm';
import { loadConfig, sharedModels, type EnvironmentModel, type MergedOutput } from '../config/index.js';

export interface ServiceDefinition<Models extends readonly EnvironmentModel[] = readonly EnvironmentModel[]> {
  /** Service name: `services/<name>`, the subgraph name, the log and metric label. */
  name: string;
  /** Its PostgreSQL schema. */
  schema: string;
  /** Port for local runs (`npm start`); containers set PORT. */
  defaultPort: number;
  entities: NonNullable<DataSourceOptions['entities']>;
  migrations: NonNullable<DataSourceOptions['migrations']>;
  /** The service's own environment models, beside the shared ones. */
  environment: Models;
}

export type SharedConfig = MergedOutput<typeof sharedModels>;
export type ServiceConfig<Definition extends ServiceDefinition> = SharedConfig &
  MergedOutput<Definition['environment']>;

export function defineService<const Models extends readonly EnvironmentModel[]>(
  definition: ServiceDefinition<Models>,
): ServiceDefinition<Models> {
  return definition;
}

export function loadServiceConfig<Definition extends ServiceDefinition>(
  definition: Definition,
  environment: NodeJS.ProcessEnv = process.env,
): ServiceConfig<Definition> {
  return loadConfig([...sharedModels, ...definition.environment], environment) as ServiceConfig<Definition>;
}
