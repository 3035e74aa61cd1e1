import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';

export type HealthCheck = () => Promise<void>;

export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: Record<string, { status: 'ok' | 'failing'; error?: string; durationMs: number }>;
}

function withTimeout<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${milliseconds} ms`)),
        milliseconds,
      );
    }),
  ]);
}

export function postgresCheck(dataSource: DataSource, timeoutMs = 2_000): HealthCheck {
  return async () => {
    if (!dataSource.isInitialized) {
      throw new Error('database not initialised');
    }
    await withTimeout(dataSource.query('SELECT 1'), timeoutMs, 'PostgreSQL');
  };
}

export function redisCheck(redis: Redis, timeoutMs = 2_000): HealthCheck {
  return async () => {
    await withTimeout(redis.ping(), timeoutMs, 'Redis');
  };
}

/** Readiness: every dependency answers now. Liveness never checks dependencies (a restart would not help). */
export async function runHealthChecks(checks: Record<string, HealthCheck>): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      try {
        await check();
        return [
          name,
          { status: 'ok' as const, durationMs: Math.round(performance.now() - started) },
        ] as const;
      } catch (error) {
        return [
          name,
          {
            status: 'failing' as const,
            error: error instanceof Error ? error.message : String(error),
            durationMs: Math.round(performance.now() - started),
          },
        ] as const;
      }
    }),
  );
  const report: HealthReport = { status: 'ok', checks: Object.fromEntries(entries) };
  if (entries.some(([, result]) => result.status !== 'ok')) {
    report.status = 'unavailable';
  }
  return report;
}
