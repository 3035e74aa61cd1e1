// Drops this run's template database (see createTemplateDatabase).
import { dropTemplateDatabase } from '../dist/src/testing/index.js';

export default async function globalTeardown() {
  await dropTemplateDatabase('platform');
}
