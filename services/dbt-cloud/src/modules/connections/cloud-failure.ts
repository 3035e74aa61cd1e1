import { DbtCloudError } from '../cloud-api/dbt-cloud.client.js';

/** A failure as the connection and its sync runs show it: a DESIGN §6 code and a message in the user's terms. */
export function describeCloudFailure(error: unknown): { code: string; message: string } {
  if (error instanceof DbtCloudError) return { code: error.code, message: error.message };
  const cloudCode = (error as { cloudCode?: string })?.cloudCode;
  if (cloudCode) return { code: cloudCode, message: (error as Error).message };
  const name = (error as Error)?.name;
  if (name === 'DbtArtifactsClientError') {
    return { code: 'UPSTREAM_UNAVAILABLE', message: (error as Error).message };
  }
  return { code: 'INTERNAL', message: 'Internal error during the dbt Cloud sync; see the worker log' };
}

/** Outages are retried with backoff; token, permission and configuration problems are not. */
export function isRetryableCloudFailure(error: unknown): boolean {
  const code = describeCloudFailure(error).code;
  return code === 'UPSTREAM_UNAVAILABLE' || code === 'INTERNAL';
}
