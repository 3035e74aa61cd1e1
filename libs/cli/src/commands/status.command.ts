import { gatewayTarget } from './gateway-client.js';

interface ServiceStatus {
  name: string;
  status: string;
  checks?: Record<string, { status: string; error?: string }>;
}

/** Health of every service, as the gateway sees it (`GET /api/status`). */
export async function status(options: { url?: string; apiKey?: string }): Promise<number> {
  const target = gatewayTarget(options);
  let response: Response;
  try {
    response = await fetch(`${target.url}/api/status`, {
      headers: target.apiKey ? { authorization: `Bearer ${target.apiKey}` } : {},
    });
  } catch (error) {
    process.stdout.write(`gateway ${target.url}: unreachable (${(error as Error).message})\n`);
    return 1;
  }
  if (!response.ok) {
    process.stdout.write(`gateway ${target.url}: HTTP ${response.status} ${await response.text()}\n`);
    return 1;
  }
  const body = (await response.json()) as { services: ServiceStatus[] };
  let healthy = true;
  process.stdout.write(`gateway ${target.url}: ok\n`);
  for (const service of body.services) {
    healthy &&= service.status === 'ok';
    const failing = Object.entries(service.checks ?? {})
      .filter(([, check]) => check.status !== 'ok')
      .map(([name, check]) => `${name}: ${check.error ?? check.status}`);
    process.stdout.write(
      `${service.name.padEnd(16)} ${service.status}${failing.length ? ` (${failing.join('; ')})` : ''}\n`,
    );
  }
  return healthy ? 0 : 1;
}
