import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

const colors = [36, 35, 33, 32, 34, 91, 96, 95];
const levelColors: Record<string, number> = {
  error: 31,
  fatal: 31,
  warn: 33,
  info: 32,
  debug: 90,
  trace: 90,
};

/** Turns a pino JSON line into `level message key=value…`; other lines pass through unchanged. */
export function readableLogLine(line: string, useColor: boolean): string {
  if (!line.startsWith('{')) {
    return line;
  }
  try {
    const {
      level,
      msg,
      time: _time,
      service: _service,
      pid: _pid,
      hostname: _hostname,
      context,
      err,
      ...rest
    } = JSON.parse(line) as Record<string, unknown>;
    const label = String(level ?? 'info').padEnd(5);
    const paint = (code: number | undefined, text: string) =>
      useColor && code ? `\x1b[${code}m${text}\x1b[0m` : text;
    const extras = Object.entries(rest)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    const error = err && typeof err === 'object' ? ` ${(err as { message?: string }).message ?? ''}` : '';
    return `${paint(levelColors[String(level)], label)} ${context ? `(${String(context)}) ` : ''}${String(msg ?? '')}${error}${extras ? paint(90, ` ${extras}`) : ''}`;
  } catch {
    return line;
  }
}

export interface SupervisedProcess {
  name: string;
  child: ChildProcess;
}

/** Starts processes with `[name]`-prefixed, readable output and stops them all together. */
export class ProcessSupervisor {
  private readonly processes: SupervisedProcess[] = [];
  private stopping = false;
  private readonly useColor = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;

  constructor(private readonly onUnexpectedExit: (name: string, code: number | null) => void) {}

  start(name: string, args: string[], environment: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, args, { env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
    const color = colors[this.processes.length % colors.length]!;
    const prefix = this.useColor ? `\x1b[${color}m[${name}]\x1b[0m` : `[${name}]`;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) => {
        process.stdout.write(`${prefix} ${readableLogLine(line, this.useColor)}\n`);
      });
    }
    child.on('exit', (code) => {
      if (!this.stopping) {
        this.onUnexpectedExit(name, code);
      }
    });
    this.processes.push({ name, child });
    return child;
  }

  async stopAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.processes.map(
        ({ child }) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null) {
              resolve();
              return;
            }
            const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }
}
