import { HexApiError } from '../hex-api/hex.client.js';

/** A failure as the connection and its sync runs show it: a DESIGN §6 code and a message in the user's terms. */
export function describeHexFailure(error: unknown): { code: string; message: string } {
  if (error instanceof HexApiError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'Internal error during the Hex sync; see the worker log' };
}

/** Outages and rate limits are retried with backoff; token, scope and configuration problems are not. */
export function isRetryableHexFailure(error: unknown): boolean {
  const code = describeHexFailure(error).code;
  return code === 'UPSTREAM_UNAVAILABLE' || code === 'RATE_LIMITED' || code === 'INTERNAL';
}
