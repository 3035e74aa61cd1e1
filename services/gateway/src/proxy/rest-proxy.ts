import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { signIdentity, type Identity } from '@cartograph/platform/auth';

const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

/**
 * Streams `/api/<service>/<rest>` to `<service base>/api/<rest>` with the caller's signed identity,
 * without buffering, so multi-hundred-megabyte artifact uploads pass through in constant memory.
 * The caller's credential is not forwarded: subgraphs trust only the signature.
 */
export function proxyRequest(
  incoming: IncomingMessage,
  outgoing: ServerResponse,
  target: URL,
  identity: Identity,
  internalSecret: string,
  onError: (error: Error) => void,
): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (
      value !== undefined &&
      !hopByHop.has(name) &&
      name !== 'authorization' &&
      name !== 'x-api-key' &&
      !name.startsWith('x-cartograph-')
    ) {
      headers[name] = value;
    }
  }
  if (incoming.headers['transfer-encoding']) {
    headers['transfer-encoding'] = incoming.headers['transfer-encoding'];
  }
  Object.assign(headers, signIdentity(identity, internalSecret));
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const upstream = send(target, { method: incoming.method, headers }, (response) => {
    const responseHeaders: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined && !hopByHop.has(name)) {
        responseHeaders[name] = value;
      }
    }
    outgoing.writeHead(response.statusCode ?? 502, responseHeaders);
    response.pipe(outgoing);
  });
  upstream.on('error', (error) => {
    onError(error);
    if (!outgoing.headersSent) {
      outgoing.writeHead(502, { 'content-type': 'application/json' });
      outgoing.end(
        JSON.stringify({
          error: { code: 'UPSTREAM_UNAVAILABLE', message: 'The service behind this route is unavailable' },
        }),
      );
    } else {
      outgoing.destroy(error);
    }
  });
  incoming.pipe(upstream);
}
