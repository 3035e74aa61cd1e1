import { type DynamicModule, Module } from '@nestjs/common';
import { PlatformModule, jobWorkerHost, outboxRelayHost } from '@cartograph/platform/nest';
import { dbtArtifactsJobs } from '@cartograph/contracts';
import { serviceDefinition, type DbtArtifactsConfig } from './dbt-artifacts.definition.js';
import { dbtArtifactsProviders } from './app.module.js';
import { ArtifactSetIngestService } from './modules/ingest/artifact-set-ingest.service.js';
import { IngestArtifactSetJob } from './modules/ingest/ingest-artifact-set.job.js';
import { StrandedSetsSweep } from './modules/ingest/stranded-sets.sweep.js';
import { SyncBucketJob } from './modules/buckets/sync-bucket.job.js';
import { BucketSyncService } from './modules/buckets/bucket-sync.service.js';
import { BucketSyncSweep } from './modules/buckets/bucket-sync.sweep.js';

/** The dbt-artifacts worker: artifact set ingestion, bucket syncs, the outbox relay. */
@Module({})
export class DbtArtifactsWorkerModule {
  static forRoot(config: DbtArtifactsConfig): DynamicModule {
    return {
      module: DbtArtifactsWorkerModule,
      imports: [PlatformModule.forService(serviceDefinition, config)],
      providers: [
        ...dbtArtifactsProviders,
        ArtifactSetIngestService,
        IngestArtifactSetJob,
        SyncBucketJob,
        BucketSyncService,
        BucketSyncSweep,
        StrandedSetsSweep,
        jobWorkerHost(dbtArtifactsJobs, [IngestArtifactSetJob, SyncBucketJob], {
          concurrency: () => config.DBT_ARTIFACTS_WORKER_CONCURRENCY,
        }),
        outboxRelayHost(),
      ],
    };
  }
}
