import { ApiKeyEntity } from '../modules/api-keys/api-key.entity.js';
import { DatasetSightingEntity } from '../modules/datasets/dataset-sighting.entity.js';
import { DatasetEntity } from '../modules/datasets/dataset.entity.js';
import { HexProjectDocumentEntity } from '../modules/search/hex-project-document.entity.js';
import { SearchTermEntity } from '../modules/search/search-term.entity.js';
import { EventLogEntity } from '../modules/events/event-log.entity.js';
import { WebhookDeliveryEntity } from '../modules/webhooks/webhook-delivery.entity.js';
import { WebhookSubscriptionEntity } from '../modules/webhooks/webhook-subscription.entity.js';

export const catalogEntities = [
  DatasetEntity,
  DatasetSightingEntity,
  ApiKeyEntity,
  WebhookSubscriptionEntity,
  WebhookDeliveryEntity,
  EventLogEntity,
  SearchTermEntity,
  HexProjectDocumentEntity,
];
