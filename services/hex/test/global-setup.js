// Runs outside Jest's module system, so it uses the build (`npm test` builds first).
import {
  createStackTemplateDatabase,
  dropStaleTestDatabases,
  runCartograph,
} from '@cartograph/platform/testing';

/**
 * Migrates every service once into a template (the end-to-end tests run the gateway and the catalog too);
 * every test file clones it.
 */
export default async function globalSetup() {
  await dropStaleTestDatabases('hex');
  await createStackTemplateDatabase('hex', async (url) => {
    const result = await runCartograph(['migrate'], { ...process.env, DATABASE_URL: url });
    if (result.code !== 0) {
      throw new Error(`cartograph migrate failed:\n${result.stdout}\n${result.stderr}`);
    }
  });
}
