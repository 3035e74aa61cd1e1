import { gatewayGraphql, gatewayTarget } from './gateway-client.js';

export async function createKey(options: {
  name: string;
  role: string;
  url?: string;
  apiKey?: string;
}): Promise<void> {
  const data = await gatewayGraphql<{ createApiKey: { key: string; apiKey: { id: string; role: string } } }>(
    gatewayTarget(options),
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id role } } }`,
    { input: { name: options.name, role: options.role.toUpperCase() } },
  );
  process.stdout.write(
    `Created ${data.createApiKey.apiKey.role.toLowerCase()} key ${data.createApiKey.apiKey.id}. Store it now; it is not shown again:\n${data.createApiKey.key}\n`,
  );
}
