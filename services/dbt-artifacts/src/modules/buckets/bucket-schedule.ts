/** The BullMQ job scheduler of one bucket connection. */
export function schedulerId(connectionId: string): string {
  return `dbt-artifacts.sync-bucket.${connectionId}`;
}
