import type { Scenario } from '../scenario.js';
import { dbtCloudSyncScenario } from './dbt-cloud-sync.scenario.js';
import { dbtIngestScenario } from './dbt-ingest.scenario.js';
import { gatewayScenario } from './gateway.scenario.js';
import { hexSyncScenario } from './hex-sync.scenario.js';
import { historyIngestScenario } from './history-ingest.scenario.js';
import { lineageTraversalScenario } from './lineage-traversal.scenario.js';
import { searchScenario } from './search.scenario.js';
import { semanticLayerScenario } from './semantic-layer.scenario.js';
import { sqlLineageScenario } from './sql-lineage.scenario.js';
import { webhookScenario } from './webhook.scenario.js';

/** Every scenario, in the order `npm run bench` runs them. A new scenario is one file and one line here. */
export const scenarios: Scenario[] = [
  searchScenario,
  gatewayScenario,
  webhookScenario,
  dbtIngestScenario,
  dbtCloudSyncScenario,
  hexSyncScenario,
  sqlLineageScenario,
  historyIngestScenario,
  lineageTraversalScenario,
  semanticLayerScenario,
];
