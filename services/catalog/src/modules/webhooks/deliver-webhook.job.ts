import { Injectable } from '@nestjs/common';
import { DeliverWebhook, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { WebhooksService } from './webhooks.service.js';

@Injectable()
export class DeliverWebhookJob implements JobHandler<typeof DeliverWebhook> {
  readonly contract = DeliverWebhook;

  constructor(private readonly webhooks: WebhooksService) {}

  handle(input: JobInput<typeof DeliverWebhook>, context: JobContext): Promise<JobOutcome> {
    return this.webhooks.deliver(input.deliveryId, context.attempt >= (DeliverWebhook.options.attempts ?? 1));
  }
}
