import { z } from 'zod';
import { defineEvent } from '../define-event.js';

export const DbtCloudRunIngested = defineEvent({
  type: 'dbt_cloud.run.ingested',
  description:
    'A finished dbt Cloud run was synced; its artifacts (if any) were handed to the artifact store.',
  schema: z.object({
    connectionId: z.string(),
    accountId: z.string(),
    projectId: z.string(),
    environmentId: z.string(),
    jobId: z.string(),
    runId: z.string(),
    status: z.string(),
    startedAt: z.string().datetime({ offset: true }).nullable(),
    finishedAt: z.string().datetime({ offset: true }).nullable(),
    durationSeconds: z.number().nullable(),
    url: z.string().nullable(),
    artifactSetIds: z.array(z.string()),
  }),
  subject: (data) => `dbt-cloud/${data.accountId}/runs/${data.runId}`,
});
