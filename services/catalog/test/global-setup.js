// Runs outside Jest's module system, so it uses the build (`npm test` builds first).
import 'reflect-metadata';
import { createTemplateDatabase, dropStaleTestDatabases } from '@cartograph/platform/testing';
import { serviceDefinition } from '../dist/src/catalog.definition.js';

/** Migrates the catalog schema once into a template; every test file clones it. */
export default async function globalSetup() {
  await dropStaleTestDatabases('catalog');
  await createTemplateDatabase('catalog', [serviceDefinition]);
}
