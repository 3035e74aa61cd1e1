import { createHmac, randomBytes } from 'node:crypto';

export const SIGNATURE_HEADER = 'cartograph-signature';

export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is signed too, so a receiver can
 * reject replays older than a few minutes; `v1` leaves room for a future scheme beside it.
 */
export function signWebhook(secret: string, body: string, timestampSeconds: number): string {
  const digest = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${digest}`;
}
