import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  eventId: string;
  eventType: string;
  body: string;
  signatureValid: boolean;
  status: number;
}

/** A webhook endpoint on 127.0.0.1 that verifies signatures the documented way and can fail on purpose. */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private server: Server | null = null;
  failuresLeft = 0;
  secret = '';

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const header = String(request.headers['cartograph-signature'] ?? '');
        const match = /^t=(\d+),v1=([0-9a-f]+)$/.exec(header);
        const expected = match
          ? createHmac('sha256', this.secret).update(`${match[1]}.${body}`).digest('hex')
          : '';
        const signatureValid =
          Boolean(match) &&
          timingSafeEqual(
            Buffer.from(expected),
            Buffer.from(match![2]!.padEnd(expected.length).slice(0, expected.length)),
          );
        const status = this.failuresLeft > 0 ? 500 : 200;
        if (this.failuresLeft > 0) {
          this.failuresLeft -= 1;
        }
        this.received.push({
          eventId: String(request.headers['cartograph-event-id']),
          eventType: String(request.headers['cartograph-event-type']),
          body,
          signatureValid,
          status,
        });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  /** Events acknowledged with 2xx, by id. */
  delivered(): ReceivedWebhook[] {
    return this.received.filter((webhook) => webhook.status === 200);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
