import { readLocalAdminKey } from '../local-state.js';

export interface GatewayTarget {
  url: string;
  apiKey: string | null;
}

/** The gateway URL given, else CARTOGRAPH_URL, else the local run's gateway; no trailing slash. */
export function gatewayUrl(url?: string): string {
  return (
    url ??
    process.env.CARTOGRAPH_URL ??
    // The gateway of `npm start`, moved by CARTOGRAPH_PORT_OFFSET like `up` moves it.
    `http://127.0.0.1:${4000 + (Number(process.env.CARTOGRAPH_PORT_OFFSET) || 0)}`
  ).replace(/\/$/, '');
}

/** CARTOGRAPH_URL / CARTOGRAPH_API_KEY, falling back to the local run's gateway and admin key. */
export function gatewayTarget(options: { url?: string; apiKey?: string }): GatewayTarget {
  return {
    url: gatewayUrl(options.url),
    apiKey: options.apiKey ?? process.env.CARTOGRAPH_API_KEY ?? readLocalAdminKey(),
  };
}

export async function gatewayGraphql<T>(
  target: GatewayTarget,
  query: string,
  variables?: object,
): Promise<T> {
  if (!target.apiKey) {
    throw new Error('No API key: pass --api-key or set CARTOGRAPH_API_KEY');
  }
  const response = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${target.apiKey}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as {
    data?: T;
    errors?: { message: string; extensions?: { code?: string } }[];
  } | null;
  if (!body || body.errors?.length) {
    const error = body?.errors?.[0];
    throw new Error(
      error
        ? `${error.extensions?.code ?? 'ERROR'}: ${error.message}`
        : `Gateway answered HTTP ${response.status}`,
    );
  }
  return body.data as T;
}
