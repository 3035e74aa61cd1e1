import { pathToFileURL } from 'node:url';
import { startTracing } from '@cartograph/platform/observability';
import { findService, servicePath } from '../service-registry.js';

/** Runs one service's API or worker in this process; the container image's entry point. */
export async function serve(name: string, role: 'api' | 'worker'): Promise<void> {
  const service = findService(name);
  const entry = role === 'api' ? service.api : service.worker;
  if (!entry) {
    throw new Error(`Service "${name}" has no worker`);
  }
  const path = servicePath(service, entry);
  // Tracing hooks must be registered before the service's modules load.
  await startTracing({
    endpoint: process.env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    serviceName: process.env.OTEL_SERVICE_NAME ?? `cartograph-${name}${role === 'worker' ? '-worker' : ''}`,
  });
  await import(pathToFileURL(path).href);
}
