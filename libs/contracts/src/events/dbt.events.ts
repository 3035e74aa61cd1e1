import { z } from 'zod';
import { defineEvent } from '../define-event.js';

const timestamp = z.string().datetime({ offset: true });

export const DbtTestStatusChanged = defineEvent({
  type: 'dbt.test.status_changed',
  description:
    'A dbt test has a new outcome (pass, fail, warn, error, skipped) in a run that counts; also sent when a test is first seen not passing.',
  schema: z.object({
    project: z.string(),
    uniqueId: z.string(),
    testName: z.string().nullable(),
    /** The model, seed, snapshot or source tested, and its dataset when it has one. */
    testedUniqueId: z.string().nullable(),
    datasetId: z.string().nullable(),
    columnName: z.string().nullable(),
    previousStatus: z.string().nullable(),
    status: z.string(),
    message: z.string().nullable(),
    failures: z.number().int().nullable(),
    artifactSetId: z.string(),
    completedAt: timestamp.nullable(),
  }),
  subject: (data) => data.datasetId ?? `dbt/${data.project}/${data.uniqueId}`,
});

export const DbtSourceFreshnessChanged = defineEvent({
  type: 'dbt.source.freshness_changed',
  description: 'A dbt source has a new freshness status (pass, warn, error, runtime error).',
  schema: z.object({
    project: z.string(),
    uniqueId: z.string(),
    datasetId: z.string().nullable(),
    previousStatus: z.string().nullable(),
    status: z.string(),
    maxLoadedAt: timestamp.nullable(),
    snapshottedAt: timestamp.nullable(),
    ageSeconds: z.number().nullable(),
    artifactSetId: z.string(),
  }),
  subject: (data) => data.datasetId ?? `dbt/${data.project}/${data.uniqueId}`,
});

export const DbtArtifactsApplied = defineEvent({
  type: 'dbt.artifacts.applied',
  description:
    'An artifact set was applied to a dbt project. semanticChanged says whether its metrics, semantic models or saved queries changed; dbtCloud carries the ids of the dbt Cloud run that produced it.',
  schema: z.object({
    project: z.string(),
    artifactSetId: z.string(),
    origin: z.string(),
    semanticChanged: z.boolean(),
    dbtCloud: z
      .object({
        environmentId: z.string().nullable(),
        jobId: z.string().nullable(),
        runId: z.string().nullable(),
      })
      .nullable(),
  }),
  subject: (data) => `dbt/${data.project}`,
});
