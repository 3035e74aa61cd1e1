import { Injectable } from '@nestjs/common';
import { IngestArtifactSet, type JobInput } from '@cartograph/contracts';
import type { JobContext, JobHandler, JobOutcome } from '@cartograph/platform/queue';
import { ArtifactSetIngestService } from './artifact-set-ingest.service.js';

@Injectable()
export class IngestArtifactSetJob implements JobHandler<typeof IngestArtifactSet> {
  readonly contract = IngestArtifactSet;

  constructor(private readonly ingest: ArtifactSetIngestService) {}

  handle(input: JobInput<typeof IngestArtifactSet>, context: JobContext): Promise<JobOutcome> {
    return this.ingest.ingest(input.artifactSetId, context.attempt);
  }
}
