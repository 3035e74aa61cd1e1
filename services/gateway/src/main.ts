import { readFileSync } from 'node:fs';
import { ConfigurationError } from '@cartograph/platform/config';
import { createLogger } from '@cartograph/platform/observability';
import { startGateway } from './gateway.app.js';
import { loadGatewayConfig, type GatewayConfig } from './gateway.config.js';

let config: GatewayConfig;
try {
  config = loadGatewayConfig();
} catch (error) {
  if (error instanceof ConfigurationError) {
    process.stderr.write(`gateway: ${error.message}\n`);
    process.exit(78);
  }
  throw error;
}
const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
const supergraphSdl = readFileSync(
  process.env.SUPERGRAPH_FILE ?? new URL('../../supergraph.graphql', import.meta.url),
  'utf8',
);
const gateway = await startGateway(config, supergraphSdl, logger);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) {
      return;
    }
    stopping = true;
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
