import { CloudConnectionEntity } from '../modules/connections/cloud-connection.entity.js';
import { CloudModelEntity } from '../modules/models/cloud-model.entity.js';
import { CloudEnvironmentEntity } from '../modules/runs/cloud-environment.entity.js';
import { CloudJobEntity } from '../modules/runs/cloud-job.entity.js';
import { CloudProjectEntity } from '../modules/runs/cloud-project.entity.js';
import { CloudRunEntity } from '../modules/runs/cloud-run.entity.js';
import { SyncRunEntity } from '@cartograph/platform/sync';

export const dbtCloudEntities = [
  CloudConnectionEntity,
  CloudProjectEntity,
  CloudEnvironmentEntity,
  CloudJobEntity,
  CloudRunEntity,
  CloudModelEntity,
  SyncRunEntity,
];
