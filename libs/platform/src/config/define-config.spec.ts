import { z } from 'zod';
import { ConfigurationError, describeEnvironment, loadConfig } from './define-config.js';

const model = z.object({
  DATABASE_URL: z.string().url().describe('Postgres URL'),
  POOL: z.coerce.number().int().min(1).default(10).describe('Pool size'),
  SECRET: z.string().min(32),
});

describe('loadConfig', () => {
  it('returns one typed object with defaults and coercion', () => {
    const config = loadConfig([model], { DATABASE_URL: 'postgres://x/y', POOL: '3', SECRET: 'x'.repeat(32) });
    expect(config).toEqual({ DATABASE_URL: 'postgres://x/y', POOL: 3, SECRET: 'x'.repeat(32) });
  });

  it('reports every problem at once, without echoing values', () => {
    let error: unknown;
    try {
      loadConfig([model], { DATABASE_URL: 'not a url', POOL: '0', SECRET: 'too-short-secret-value' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    const issues = (error as ConfigurationError).issues;
    expect(issues.map((issue) => issue.split(':')[0])).toEqual(['DATABASE_URL', 'POOL', 'SECRET']);
    expect((error as Error).message).not.toContain('too-short-secret-value');
  });

  it('says which required variables are missing and what they are for', () => {
    expect(() => loadConfig([model], { POOL: '2' })).toThrow(/DATABASE_URL: is required \(Postgres URL\)/);
  });

  it('treats empty strings as unset', () => {
    expect(
      loadConfig([model], { DATABASE_URL: 'postgres://x/y', POOL: '', SECRET: 's'.repeat(32) }).POOL,
    ).toBe(10);
  });

  it('describes variables for the configuration reference', () => {
    expect(describeEnvironment(model)).toEqual([
      { name: 'DATABASE_URL', description: 'Postgres URL', required: true, defaultValue: undefined },
      { name: 'POOL', description: 'Pool size', required: false, defaultValue: '10' },
      { name: 'SECRET', description: '', required: true, defaultValue: undefined },
    ]);
  });
});
