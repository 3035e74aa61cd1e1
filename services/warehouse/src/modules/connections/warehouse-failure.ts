import { WarehouseError } from '../connectors/warehouse-connector.js';

const CODES: Record<WarehouseError['kind'], string> = {
  auth: 'UPSTREAM_AUTH_FAILED',
  permission: 'FORBIDDEN',
  unavailable: 'UPSTREAM_UNAVAILABLE',
  rate_limited: 'RATE_LIMITED',
  invalid: 'BAD_USER_INPUT',
};

/** A failure as the connection and its sync runs show it: a DESIGN §6 code and a message in the user's terms. */
export function describeWarehouseFailure(error: unknown): { code: string; message: string } {
  if (error instanceof WarehouseError) {
    return {
      code: CODES[error.kind],
      message: error.fix ? `${error.message} (${error.fix})` : error.message,
    };
  }
  const code = (error as { warehouseCode?: string })?.warehouseCode;
  if (code) return { code, message: (error as Error).message };
  return { code: 'INTERNAL', message: 'Internal error during the warehouse sync; see the worker log' };
}

/** Outages are retried with backoff; credential, grant and configuration problems are not. */
export function isRetryableWarehouseFailure(error: unknown): boolean {
  const code = describeWarehouseFailure(error).code;
  return code === 'UPSTREAM_UNAVAILABLE' || code === 'RATE_LIMITED' || code === 'INTERNAL';
}
