import { z } from 'zod';
import { defineEvent } from '../define-event.js';

const hexProjectRef = {
  connectionId: z.string(),
  /** Hex's project id (a UUID), the id query comments carry. */
  projectId: z.string(),
};

export const HexProjectUpserted = defineEvent({
  type: 'hex.project.upserted',
  description: 'A Hex project (or component) was seen for the first time or changed upstream.',
  schema: z.object({
    ...hexProjectRef,
    title: z.string(),
    description: z.string().nullable(),
    /** PROJECT or COMPONENT. */
    type: z.string(),
    status: z.string().nullable(),
    categories: z.array(z.string()),
    collections: z.array(z.string()),
    /** hex:category:<name>, hex:status:<name>, hex:collection:<name>, as the connection imports them. */
    tags: z.array(z.string()),
    ownerEmail: z.string().nullable(),
    url: z.string(),
    published: z.boolean(),
    archived: z.boolean(),
    trashed: z.boolean(),
    lastEditedAt: z.string().datetime({ offset: true }).nullable(),
  }),
  subject: (data) => `hex/projects/${data.projectId}`,
});

export const HexProjectRemoved = defineEvent({
  type: 'hex.project.removed',
  description:
    'A Hex project is no longer listed by a full sync (deleted upstream, or no longer visible to the token); it is kept soft-deleted.',
  schema: z.object({
    ...hexProjectRef,
    title: z.string(),
    removedAt: z.string().datetime({ offset: true }),
  }),
  subject: (data) => `hex/projects/${data.projectId}`,
});
