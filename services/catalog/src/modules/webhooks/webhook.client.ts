import { request } from 'undici';

export interface WebhookAttempt {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** One POST, no retries (BullMQ owns retries and their backoff), body size of the answer ignored. */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<WebhookAttempt> {
  const started = performance.now();
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/cloudevents+json; charset=utf-8',
        'user-agent': 'Cartograph-Webhooks/1',
        ...headers,
      },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      maxRedirections: 0,
    } as Parameters<typeof request>[1]);
    await response.body.dump();
    return {
      statusCode: response.statusCode,
      error: null,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      statusCode: null,
      error: message.slice(0, 500),
      durationMs: Math.round(performance.now() - started),
    };
  }
}
