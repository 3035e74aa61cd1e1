/**
 * DDL for a service's outbox and its consumers' processed-event ledger.
 * Each service's first migration calls these, so every schema has the same shape.
 */
function quoted(schema: string): string {
  return `"${schema.replace(/"/g, '""')}"`;
}

export function outboxTablesUp(schema: string): string[] {
  const s = quoted(schema);
  return [
    `CREATE TABLE ${s}."outbox" (
      "sequence" bigserial PRIMARY KEY,
      "id" uuid NOT NULL UNIQUE,
      "type" text NOT NULL,
      "source" text NOT NULL,
      "subject" text NOT NULL,
      "time" timestamptz NOT NULL,
      "data" jsonb NOT NULL,
      "relayed_at" timestamptz
    )`,
    `CREATE INDEX "outbox_pending_idx" ON ${s}."outbox" ("sequence") WHERE "relayed_at" IS NULL`,
    `CREATE TABLE ${s}."processed_events" (
      "consumer" text NOT NULL,
      "event_id" uuid NOT NULL,
      "processed_at" timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY ("consumer", "event_id")
    )`,
  ];
}

export function outboxTablesDown(schema: string): string[] {
  const s = quoted(schema);
  return [`DROP TABLE ${s}."processed_events"`, `DROP TABLE ${s}."outbox"`];
}

/** The channel the outbox NOTIFYs on commit so the relay wakes at once instead of polling. */
export function outboxChannel(schema: string): string {
  return `cartograph_outbox_${schema.replace(/[^a-z0-9_]/gi, '_')}`;
}
