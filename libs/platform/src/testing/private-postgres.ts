import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './stack.js';

/** Where initdb and pg_ctl are: PG_BIN, else `pg_config --bindir`, else the Debian location of Postgres 15. */
function postgresBinDirectory(): string {
  if (process.env.PG_BIN) {
    return process.env.PG_BIN;
  }
  const fromConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  const directory = fromConfig.status === 0 ? fromConfig.stdout.trim() : '';
  return directory && existsSync(join(directory, 'initdb')) ? directory : '/usr/lib/postgresql/15/bin';
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** Postgres refuses to run as root: as root, the binaries run as the `postgres` user through runuser. */
function command(binary: string, args: string[]): [string, string[]] {
  const path = join(postgresBinDirectory(), binary);
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args];
}

function run(binary: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const [file, fileArgs] = command(binary, args);
  return new Promise((resolve) => {
    const child = spawn(file, fileArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: -1, output: `${output}${String(error)}` }));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

async function runOrThrow(binary: string, args: string[]): Promise<string> {
  const result = await run(binary, args);
  if (result.code !== 0) {
    throw new Error(`${binary} ${args.join(' ')} failed (${result.code}):\n${result.output}`);
  }
  return result.output;
}

function postgresUserIds(): { uid: number; gid: number } | null {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return uid.status === 0 && gid.status === 0
    ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) }
    : null;
}

/** How to create a private cluster; everything is optional and the defaults give a plain cluster. */
export interface PrivatePostgresOptions {
  /**
   * Server settings written to `postgresql.conf` before the first start, so they hold across `stop()`/`start()`
   * and include those that need a restart, e.g. `{ shared_preload_libraries: 'pg_stat_statements' }`.
   * Values are written as quoted strings, which Postgres accepts for settings of every type.
   */
  readonly settings?: Readonly<Record<string, string | number | boolean>>;
  /**
   * `trust` (the default): every role connects without a password. `scram-sha-256`: roles other than
   * `postgres` must give their password over TCP, so tests can see a refused password; `postgres` stays
   * trusted so `url()` and `createDatabase()` keep working.
   */
  readonly hostAuthentication?: 'trust' | 'scram-sha-256';
}

const settingName = /^[a-z_][a-z0-9_.]*$/i;

/** `name = 'value'` lines for postgresql.conf; a name that is not a plain setting name is refused, not quoted. */
export function postgresConfigurationLines(settings: PrivatePostgresOptions['settings'] = {}): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!settingName.test(name)) throw new Error(`Not a Postgres setting name: ${JSON.stringify(name)}`);
      return `${name} = '${String(value).replace(/\\/g, '\\\\').replace(/'/g, "''")}'\n`;
    })
    .join('');
}

/**
 * A Postgres cluster of one test's own, in a temporary directory, on a free loopback port, with trust
 * auth unless options say otherwise: tests can stop and start it (a database outage) without touching the server other projects share.
 * `destroy()` stops it and deletes the directory; a process exit does the same as a last resort.
 */
export class PrivatePostgres {
  private running = false;
  private readonly exitHandler = () => this.destroySync();

  private constructor(
    readonly directory: string,
    readonly port: number,
  ) {}

  /** Why a private cluster cannot be created here (no binaries, no postgres user), or null when it can. */
  static unavailableReason(): string | null {
    const initdb = join(postgresBinDirectory(), 'initdb');
    if (!existsSync(initdb)) {
      return `no initdb at ${initdb} (set PG_BIN to the Postgres bin directory)`;
    }
    if (isRoot()) {
      if (!postgresUserIds()) {
        return 'running as root and there is no postgres user to run Postgres as';
      }
      const probe = spawnSync('runuser', ['-u', 'postgres', '--', initdb, '--version'], { encoding: 'utf8' });
      if (probe.status !== 0) {
        return `cannot run initdb as the postgres user: ${probe.error ? String(probe.error) : probe.stderr.trim()}`;
      }
    }
    return null;
  }

  /** initdb into a fresh temporary directory, write the given settings, then start the cluster. */
  static async create(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const directory = mkdtempSync(join(tmpdir(), 'cartograph-pg-'));
    chmodSync(directory, 0o700);
    if (isRoot()) {
      const ids = postgresUserIds();
      if (ids) {
        chownSync(directory, ids.uid, ids.gid);
      }
    }
    const cluster = new PrivatePostgres(directory, await freePort());
    process.once('exit', cluster.exitHandler);
    try {
      await runOrThrow('initdb', [
        '-D',
        cluster.dataDirectory,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ]);
      const lines = postgresConfigurationLines(options.settings);
      if (lines) {
        // Later lines win in postgresql.conf; the file stays owned by the postgres user because it exists.
        appendFileSync(join(cluster.dataDirectory, 'postgresql.conf'), `\n${lines}`);
      }
      if (options.hostAuthentication === 'scram-sha-256') {
        // pg_hba.conf is read top-down and the first matching line decides, so these go in front of initdb's.
        const hba = join(cluster.dataDirectory, 'pg_hba.conf');
        const rules = 'host all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\n';
        writeFileSync(hba, rules + readFileSync(hba, 'utf8'));
      }
      await cluster.start();
      return cluster;
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
  }

  get dataDirectory(): string {
    return join(this.directory, 'data');
  }

  get logFile(): string {
    return join(this.directory, 'postgres.log');
  }

  /** A URL of a database in this cluster (`postgres` by default). */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /** Starts the cluster (again) on its port and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.directory} -c listen_addresses=127.0.0.1 -c fsync=off`;
    await runOrThrow('pg_ctl', [
      '-D',
      this.dataDirectory,
      '-l',
      this.logFile,
      '-o',
      options,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    this.running = true;
  }

  /** Stops the cluster like an outage would (fast shutdown: open connections are terminated). */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await runOrThrow('pg_ctl', ['-D', this.dataDirectory, '-m', mode, '-w', '-t', '60', 'stop']);
    this.running = false;
  }

  /** Stops the cluster if it runs and deletes its directory; safe to call more than once. */
  async destroy(): Promise<void> {
    process.removeListener('exit', this.exitHandler);
    if (existsSync(join(this.dataDirectory, 'postmaster.pid'))) {
      await run('pg_ctl', ['-D', this.dataDirectory, '-m', 'immediate', '-w', 'stop']);
    }
    this.running = false;
    rmSync(this.directory, { recursive: true, force: true });
  }

  get isRunning(): boolean {
    return this.running;
  }

  private destroySync(): void {
    if (existsSync(join(this.dataDirectory, 'postmaster.pid'))) {
      const [file, args] = command('pg_ctl', ['-D', this.dataDirectory, '-m', 'immediate', '-w', 'stop']);
      spawnSync(file, args, { stdio: 'ignore' });
    }
    rmSync(this.directory, { recursive: true, force: true });
  }
}
