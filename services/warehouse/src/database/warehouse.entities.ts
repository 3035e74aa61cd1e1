import { WarehouseConnectionEntity } from '../modules/connections/warehouse-connection.entity.js';
import { WarehouseTableEntity } from '../modules/crawl/warehouse-table.entity.js';
import { DatasetUsageEntity } from '../modules/history/dataset-usage.entity.js';
import { HistorySeenEntity } from '../modules/history/history-seen.entity.js';
import { QueryDatasetEntity } from '../modules/history/query-dataset.entity.js';
import { WarehouseQueryEntity } from '../modules/history/warehouse-query.entity.js';
import { ColumnEdgeEntity } from '../modules/lineage/column-edge.entity.js';
import { LineageEdgeEntity } from '../modules/lineage/lineage-edge.entity.js';
import { LineageNodeEntity } from '../modules/lineage/lineage-node.entity.js';
import { ObservedEdgeBatchEntity } from '../modules/lineage/observed-edge-batch.entity.js';
import { SyncRunEntity } from '@cartograph/platform/sync';

export const warehouseEntities = [
  WarehouseConnectionEntity,
  WarehouseTableEntity,
  WarehouseQueryEntity,
  QueryDatasetEntity,
  DatasetUsageEntity,
  HistorySeenEntity,
  LineageNodeEntity,
  LineageEdgeEntity,
  ColumnEdgeEntity,
  ObservedEdgeBatchEntity,
  SyncRunEntity,
];
