import { ArtifactBlobChunkEntity } from '../modules/artifact-sets/artifact-blob-chunk.entity.js';
import { ArtifactBlobEntity } from '../modules/artifact-sets/artifact-blob.entity.js';
import { ArtifactSetEntity } from '../modules/artifact-sets/artifact-set.entity.js';
import { BucketConnectionEntity } from '../modules/buckets/bucket-connection.entity.js';
import { BucketFolderEntity } from '../modules/buckets/bucket-folder.entity.js';
import { SyncRunEntity } from '../modules/buckets/sync-run.entity.js';
import { DbtEdgeEntity } from '../modules/nodes/dbt-edge.entity.js';
import { DbtNodeEntity } from '../modules/nodes/dbt-node.entity.js';
import { DbtProjectEntity } from '../modules/projects/dbt-project.entity.js';
import { DbtFreshnessCheckEntity } from '../modules/runs/dbt-freshness-check.entity.js';
import { DbtLatestFreshnessEntity } from '../modules/runs/dbt-latest-freshness.entity.js';
import { DbtLatestResultEntity } from '../modules/runs/dbt-latest-result.entity.js';
import { DbtRunResultEntity } from '../modules/runs/dbt-run-result.entity.js';
import { DbtRunEntity } from '../modules/runs/dbt-run.entity.js';

export const dbtArtifactsEntities = [
  ArtifactBlobEntity,
  ArtifactBlobChunkEntity,
  ArtifactSetEntity,
  DbtProjectEntity,
  DbtNodeEntity,
  DbtEdgeEntity,
  DbtRunEntity,
  DbtRunResultEntity,
  DbtFreshnessCheckEntity,
  DbtLatestResultEntity,
  DbtLatestFreshnessEntity,
  BucketConnectionEntity,
  BucketFolderEntity,
  SyncRunEntity,
];
