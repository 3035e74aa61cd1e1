import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configurationReference, withReference } from '../src/commands/config-reference.command.js';
import { repositoryRoot } from '../src/service-registry.js';

describe('configuration reference', () => {
  it('README.md lists exactly the variables the services read (run `node bin/cartograph.js config --write-readme`)', async () => {
    const readme = readFileSync(join(repositoryRoot(), 'README.md'), 'utf8');
    const reference = await configurationReference();
    expect(reference).toContain('`DATABASE_URL`');
    expect(reference).toContain('`AUTH_KEY_CACHE_TTL_SECONDS`');
    expect(withReference(readme, reference)).toBe(readme);
  });
});
