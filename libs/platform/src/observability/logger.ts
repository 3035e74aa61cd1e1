import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths whose values are replaced in every log line. Secrets should never be logged at all; this is the
 * second line of defence for the day someone logs a whole request or config object.
 */
export const redactedLogPaths = [
  'password',
  'secret',
  'token',
  'apiKey',
  'key',
  'authorization',
  'credentials',
  '*.password',
  '*.secret',
  '*.token',
  '*.apiKey',
  '*.authorization',
  '*.credentials',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-cartograph-signature"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'connectionParams.authorization',
  'connectionParams.apiKey',
];

export interface LoggerSettings {
  service: string;
  level?: string;
  /** Where lines go; tests pass a stream to assert on captured output. */
  destination?: NodeJS.WritableStream;
}

export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: { service: settings.service },
    redact: { paths: redactedLogPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return settings.destination ? pino(options, settings.destination as pino.DestinationStream) : pino(options);
}
