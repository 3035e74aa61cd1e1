import { register } from 'node:module';

export interface TracingSettings {
  endpoint?: string;
  serviceName: string;
}

/**
 * Starts OpenTelemetry tracing when an OTLP endpoint is configured, and does nothing otherwise.
 * Must run before the service's modules are imported: ESM instrumentation hooks only see later imports.
 * The packages are imported lazily so a process without tracing never loads them.
 */
export async function startTracing(settings: TracingSettings): Promise<(() => Promise<void>) | null> {
  if (!settings.endpoint) {
    return null;
  }
  register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
  const [
    { NodeTracerProvider, BatchSpanProcessor },
    { OTLPTraceExporter },
    { resourceFromAttributes },
    instrumentation,
    http,
  ] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-http'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({ url: `${settings.endpoint.replace(/\/$/, '')}/v1/traces` }),
        { scheduledDelayMillis: 500 },
      ),
    ],
  });
  provider.register();
  instrumentation.registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new http.HttpInstrumentation({
        // Health probes and scrapes would drown real traffic.
        ignoreIncomingRequestHook: (request) => /^\/(health|metrics)/.test(request.url ?? ''),
      }),
    ],
  });
  return () => provider.shutdown();
}
