// Drops this run's template database (see createTemplateDatabase).
import { dropTemplateDatabase } from '@cartograph/platform/testing';

export default async function globalTeardown() {
  await dropTemplateDatabase('hex');
}
