// Runs outside Jest's module system, so it uses the build (`npm test` builds first).
import 'reflect-metadata';
import { createTemplateDatabase, dropStaleTestDatabases } from '../dist/src/testing/index.js';
import { platformTestDefinition } from '../dist/test/platform-test.definition.js';

export default async function globalSetup() {
  await dropStaleTestDatabases('platform');
  await createTemplateDatabase('platform', [platformTestDefinition]);
}
