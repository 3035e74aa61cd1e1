// Runs outside Jest's module system, so it uses the build (`npm test` builds first).
import 'reflect-metadata';
import { createTemplateDatabase, dropStaleTestDatabases } from '@cartograph/platform/testing';
import { serviceDefinition } from '../dist/src/dbt-artifacts.definition.js';

/** Migrates the dbt-artifacts schema once into a template; every test file clones it. */
export default async function globalSetup() {
  await dropStaleTestDatabases('dbt-artifacts');
  await createTemplateDatabase('dbt-artifacts', [serviceDefinition]);
}
