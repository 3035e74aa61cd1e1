import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on this machine. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A webhook endpoint on 127.0.0.1 that answers 200 at once, verifies each delivery the documented way
 * (`cartograph-signature: t=<s>,v1=hex(hmac-sha256(secret, "<t>.<body>"))`, the body's id equal to
 * `cartograph-event-id`) and records when each event id first arrived.
 */
export class BenchWebhookReceiver {
  secret = '';
  /** First arrival per event id (preciseNow()). */
  readonly arrivals = new Map<string, number>();
  requests = 0;
  duplicates = 0;
  badSignatures = 0;
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const at = preciseNow();
        const body = Buffer.concat(chunks).toString('utf8');
        const eventId = String(request.headers['cartograph-event-id'] ?? '');
        this.requests += 1;
        if (!this.verify(String(request.headers['cartograph-signature'] ?? ''), body, eventId)) {
          this.badSignatures += 1;
        }
        if (this.arrivals.has(eventId)) {
          this.duplicates += 1;
        } else {
          this.arrivals.set(eventId, at);
        }
        response.writeHead(200).end();
      });
    });
    // Keep-alive longer than the deliveries' gaps, so connections are reused as a real endpoint would allow.
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private verify(header: string, body: string, eventId: string): boolean {
    const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
    if (!match || !this.secret) {
      return false;
    }
    const expected = createHmac('sha256', this.secret).update(`${match[1]}.${body}`).digest();
    if (!timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'))) {
      return false;
    }
    try {
      return (JSON.parse(body) as { id?: unknown }).id === eventId;
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) {
      return;
    }
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
