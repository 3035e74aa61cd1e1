import { request } from 'undici';
import { signIdentity, type Identity, type Role } from '@cartograph/platform/auth';

export interface VerifiedApiKey {
  id: string;
  name: string;
  role: Role;
}

export const gatewayServiceIdentity: Identity = {
  subject: 'gateway',
  kind: 'service',
  role: 'viewer',
  name: 'gateway',
};

/** Asks the catalog (which owns API keys) whether a key is valid, over its signed internal endpoint. */
export class ApiKeyClient {
  constructor(
    private readonly catalogBaseUrl: string,
    private readonly internalSecret: string,
  ) {}

  async verify(key: string): Promise<VerifiedApiKey | null> {
    const response = await request(`${this.catalogBaseUrl}/internal/api-keys/verify`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...signIdentity(gatewayServiceIdentity, this.internalSecret),
      },
      body: JSON.stringify({ key }),
      headersTimeout: 5_000,
      bodyTimeout: 5_000,
    });
    const body = (await response.body.json()) as { valid?: boolean; key?: VerifiedApiKey };
    if (response.statusCode !== 200) {
      throw new Error(`catalog answered ${response.statusCode} to key verification`);
    }
    return body.valid && body.key ? body.key : null;
  }
}
