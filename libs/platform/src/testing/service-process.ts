import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { repositoryRoot } from './repository-root.js';

/** Every child still running, killed when the test process exits. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killOnExit(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const orphan of running) orphan.kill('SIGKILL');
  });
}

/**
 * A service started the way production starts it (`node bin/cartograph.js serve|worker <service>`),
 * from the build, with every output line kept for assertions (e.g. that no secret was logged).
 */
export class ServiceProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | null = null;

  constructor(
    readonly name: string,
    private readonly args: string[],
    private environment: NodeJS.ProcessEnv,
    readonly healthUrl: string | null,
  ) {}

  /** The OS pid of the running process (undefined before start); a restart would change it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code once the process exited on its own, else null. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  async start(extraEnvironment: NodeJS.ProcessEnv = {}): Promise<void> {
    this.environment = { ...this.environment, ...extraEnvironment };
    const child = spawn(process.execPath, [join(repositoryRoot(), 'bin', 'cartograph.js'), ...this.args], {
      env: this.environment,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    // A stack whose start outlived its test's hook timeout is never stopped by the test (it never got the
    // stack). Unreferenced, its processes cannot keep Jest from exiting, and the exit hook kills them.
    killOnExit(child);
    child.unref();
    for (const stream of [child.stdout!, child.stderr!]) {
      (stream as { unref?: () => void }).unref?.();
      createInterface({ input: stream }).on('line', (line) => {
        this.lines.push(line);
        if (process.env.STACK_LOGS === '1') {
          process.stdout.write(`[${this.name}] ${line}\n`);
        }
      });
    }
    if (this.healthUrl) {
      // Generous: a stack starts several Nest processes at once on what may be two busy cores.
      // Generous: on a 2-core machine running three test projects at once, a worker can take a minute to boot.
      await this.waitUntilReady(150_000);
    }
  }

  async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
        throw new Error(
          `${this.name} exited with ${this.child.exitCode}:\n${this.lines.slice(-20).join('\n')}`,
        );
      }
      try {
        const response = await fetch(this.healthUrl!, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) {
          return;
        }
      } catch {
        // not up yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `${this.name} was not ready within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`,
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) {
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }
}

/** Runs `node bin/cartograph.js <args>` to completion and returns its output. */
export async function runCartograph(
  args: string[],
  environment: NodeJS.ProcessEnv,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(repositoryRoot(), 'bin', 'cartograph.js'), ...args], {
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}
