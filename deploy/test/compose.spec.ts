// docker-compose.yml, checked statically (no Docker engine here): the Compose Specification JSON schema (as
// shipped by the dclint package) with ajv, dclint's own rules, and the facts the stack relies on.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Ajv } from 'ajv';
import { DCLinter } from 'dclint';
import { parse } from 'yaml';
import { deployDir } from '../scripts/helm.js';
import { SECRET_ENV, isDocumentedEnv, isImageCommand, subgraphEnvName } from './support/contract.js';

const repoRoot = path.dirname(deployDir);
const composeFile = path.join(repoRoot, 'docker-compose.yml');
const source = readFileSync(composeFile, 'utf8');
/** Compose resolves YAML merge keys (<<: *anchor); so does yaml with merge: true. */
const raw = parse(source, { merge: true }) as any;

/** Compose interpolation with an empty environment: ${VAR:-default} → default, ${VAR} → '', $$ → $. */
function interpolate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, _braced, fallback) => (match === '$$' ? '$' : (fallback ?? '')),
    );
  }
  if (Array.isArray(value)) return value.map(interpolate);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v)]));
  return value;
}

const compose = interpolate(raw) as any;
const services = compose.services as Record<string, any>;
const dockerfilePath = 'deploy/Dockerfile';

/** Services that run the Cartograph image (built from deploy/Dockerfile). */
const appServices = Object.entries(services).filter(([, svc]) => svc.build?.dockerfile === dockerfilePath);

function environment(svc: any): Record<string, string> {
  if (Array.isArray(svc.environment)) {
    return Object.fromEntries(
      svc.environment.map((entry: string) => [entry.split('=')[0], entry.split('=').slice(1).join('=')]),
    );
  }
  return Object.fromEntries(Object.entries(svc.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/** The service a command runs: `serve catalog` → catalog; `migrate` → migrate. */
const serviceOfCommand = (command: string[]): string => command[1] ?? command[0]!;

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema', () => {
    const require = createRequire(path.join(deployDir, 'package.json'));
    const schemaFile = path.join(
      path.dirname(require.resolve('dclint/package.json')),
      'schemas',
      'compose.schema.json',
    );
    const { $schema, ...schema } = JSON.parse(readFileSync(schemaFile, 'utf8'));
    expect($schema).toMatch(/draft-07/); // Ajv's default dialect; its meta-schema id is spelled differently
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const validate = ajv.compile(schema);
    const valid = validate(raw);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    // A schema that accepts anything would prove nothing.
    expect(validate({ services: { x: { image: 'a', restart: 42 } } })).toBe(false);
    expect(validate({ services: { x: { image: 'a', depends_on: { y: { condition: 'whenever' } } } } })).toBe(
      false,
    );
  });

  it('passes dclint (style rules about key and service order aside)', () => {
    const linter = new DCLinter({
      // Merge keys (<<) confuse service-keys-order; the services are in start-up order, not alphabetical; and the
      // Cartograph services name the image they build on purpose (one build, four services).
      rules: { 'service-keys-order': 0, 'services-alphabetical-order': 0, 'no-build-and-image': 0 },
      exclude: [],
      quiet: true,
      debug: false,
    } as any);
    const [result] = linter.lintFiles([composeFile], false);
    expect(result!.messages.map((m: any) => `${m.line}: ${m.message} (${m.rule})`)).toEqual([]);
  });

  it('runs Postgres 16 and Redis 7 with noeviction, both with health checks', () => {
    expect(services.postgres.image).toMatch(/^postgres:16(\b|$)/);
    expect(services.redis.image).toMatch(/^redis:7(\b|$)/);
    const redisCommand = [services.redis.command].flat().join(' ');
    expect(redisCommand).toMatch(/--maxmemory-policy[ =]noeviction/);
    for (const name of ['postgres', 'redis']) expect(services[name].healthcheck?.test).toBeDefined();
  });

  it('builds every Cartograph service from deploy/Dockerfile with the repository root as context, as one image', () => {
    expect(appServices.map(([name]) => name).sort()).toEqual([
      'catalog',
      'catalog-worker',
      'dbt-artifacts',
      'dbt-artifacts-worker',
      'dbt-cloud',
      'dbt-cloud-worker',
      'gateway',
      'hex',
      'hex-worker',
      'migrate',
      'semantic-layer',
      'semantic-layer-worker',
      'warehouse',
      'warehouse-worker',
    ]);
    const images = new Set<string>();
    for (const [, svc] of appServices) {
      expect(svc.build).toEqual({ context: '.', dockerfile: dockerfilePath });
      images.add(svc.image);
    }
    expect(images.size).toBe(1);
    expect(readFileSync(path.join(repoRoot, dockerfilePath), 'utf8')).toContain('FROM');
  });

  it('gives each Cartograph service a command of the image (serve/worker <service>, migrate)', () => {
    const commands = Object.fromEntries(appServices.map(([name, svc]) => [name, svc.command]));
    for (const [name, command] of Object.entries(commands)) {
      expect([name, Array.isArray(command) && isImageCommand(command)]).toEqual([name, true]);
    }
    expect(commands).toEqual({
      migrate: ['migrate'],
      gateway: ['serve', 'gateway'],
      catalog: ['serve', 'catalog'],
      'catalog-worker': ['worker', 'catalog'],
      'dbt-artifacts': ['serve', 'dbt-artifacts'],
      'dbt-artifacts-worker': ['worker', 'dbt-artifacts'],
      'dbt-cloud': ['serve', 'dbt-cloud'],
      'dbt-cloud-worker': ['worker', 'dbt-cloud'],
      warehouse: ['serve', 'warehouse'],
      hex: ['serve', 'hex'],
      'hex-worker': ['worker', 'hex'],
      'semantic-layer': ['serve', 'semantic-layer'],
      'semantic-layer-worker': ['worker', 'semantic-layer'],
      'warehouse-worker': ['worker', 'warehouse'],
    });
    for (const [, svc] of appServices) expect(svc.entrypoint).toBeUndefined();
  });

  it('runs the one-shot migration first, after Postgres and Redis are healthy', () => {
    const migrate = services.migrate;
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
    for (const [name, svc] of appServices) {
      if (name === 'migrate') continue;
      expect([name, svc.depends_on?.migrate]).toEqual([
        name,
        { condition: 'service_completed_successfully' },
      ]);
      expect([name, svc.healthcheck?.test?.join(' ')]).toEqual([
        name,
        expect.stringContaining('/health/ready'),
      ]);
    }
  });

  it('has a dependency graph without unknown services or cycles', () => {
    const visiting = new Set<string>();
    const done = new Set<string>();
    const visit = (name: string): void => {
      expect(Object.keys(services)).toContain(name);
      if (done.has(name)) return;
      if (visiting.has(name)) throw new Error(`depends_on cycle through ${name}`);
      visiting.add(name);
      for (const dependency of Object.keys(services[name].depends_on ?? {})) visit(dependency);
      visiting.delete(name);
      done.add(name);
    };
    for (const name of Object.keys(services)) visit(name);
  });

  it('publishes the gateway on port 4000 and points it at the catalog subgraph', () => {
    expect(services.gateway.ports).toEqual(['127.0.0.1:4000:3000']);
    const env = environment(services.gateway);
    const url = new URL(env[subgraphEnvName('catalog')]!);
    expect(services[url.hostname]?.command).toEqual(['serve', 'catalog']);
    expect(url.port).toBe(environment(services[url.hostname]).PORT);
    expect(url.pathname).toBe('/graphql');
    for (const [name, svc] of appServices) if (name !== 'gateway') expect(svc.ports).toBeUndefined();
  });

  it('sets only documented environment variables, and all the required ones', () => {
    for (const [name, svc] of appServices) {
      const env = environment(svc);
      const service = serviceOfCommand(svc.command);
      for (const key of Object.keys(env))
        expect([name, key, isDocumentedEnv(key, service)]).toEqual([name, key, true]);
      for (const key of [
        'NODE_ENV',
        'HOST',
        'PORT',
        'DATABASE_URL',
        'REDIS_URL',
        'REDIS_PREFIX',
        ...SECRET_ENV,
        'OTEL_SERVICE_NAME',
      ]) {
        expect([name, key, env[key]]).toEqual([name, key, expect.any(String)]);
      }
      expect(env.PORT).toBe('3000');
      expect(env.HOST).toBe('0.0.0.0');
      expect(new URL(env.DATABASE_URL!).hostname).toBe('postgres');
      expect(new URL(env.REDIS_URL!).hostname).toBe('redis');
    }
  });

  it('marks its internal secret and encryption key as dev-only, and the key is 32 bytes', () => {
    const env = environment(services.catalog);
    expect(Buffer.from(env.CARTOGRAPH_ENCRYPTION_KEY!, 'base64')).toHaveLength(32);
    expect(env.CARTOGRAPH_INTERNAL_SECRET!.length).toBeGreaterThanOrEqual(32);
    for (const key of ['CARTOGRAPH_INTERNAL_SECRET', 'CARTOGRAPH_ENCRYPTION_KEY']) {
      const line = source.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`));
      const context = source
        .split('\n')
        .slice(Math.max(0, line - 2), line + 1)
        .join('\n');
      expect(context).toMatch(/DEV ONLY/);
      // Overridable from the shell or an .env file.
      expect(source.split('\n')[line]).toContain(`\${${key}:-`);
    }
  });

  it('runs the Cartograph containers as in Kubernetes: non-root, read-only, no capabilities, with init', () => {
    for (const [, svc] of appServices) {
      expect(svc.user).toBe('10001:10001');
      expect(svc.read_only).toBe(true);
      expect(svc.tmpfs).toContain('/tmp');
      expect(svc.cap_drop).toEqual(['ALL']);
      expect(svc.init).toBe(true);
    }
  });
});
