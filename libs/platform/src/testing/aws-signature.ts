import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

// AWS Signature Version 4 checking for the S3 emulator. s3rver 3.7.1 looks up the access key id of a SigV4
// request but never checks the signature ("unimplemented" in its authentication middleware), so a wrong
// secret would pass; real S3 and GCS answer 403 SignatureDoesNotMatch. The emulator checks here, in front
// of s3rver, so tests of wrong credentials mean what they say.
//
// Header authentication only (`Authorization: AWS4-HMAC-SHA256 …`); the payload hash is taken from
// `x-amz-content-sha256` as signed, not recomputed from the body.

export type AwsSignatureVerdict =
  /** No SigV4 Authorization header: left to s3rver (anonymous, SigV2 or presigned URL). */
  | 'unsigned'
  /** An access key id the emulator does not know: left to s3rver, which answers InvalidAccessKeyId. */
  | 'unknown-key'
  | 'malformed'
  | 'valid'
  | 'mismatch';

export interface AwsSignedRequest {
  method: string;
  /** Path and query string exactly as received (`/bucket/key?list-type=2`). */
  url: string;
  headers: IncomingHttpHeaders;
}

const AUTHORIZATION_PATTERN =
  /^AWS4-HMAC-SHA256\s+Credential=([^/\s,]+)\/(\d{8})\/([^/\s,]+)\/([^/\s,]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})\s*$/;

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `~` included as is. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, '%20'));
  } catch {
    return text;
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  return query
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const separator = pair.indexOf('=');
      const name = separator === -1 ? pair : pair.slice(0, separator);
      const value = separator === -1 ? '' : pair.slice(separator + 1);
      return [encodeRfc3986(decodeQueryPart(name)), encodeRfc3986(decodeQueryPart(value))] as const;
    })
    .sort(([leftName, leftValue], [rightName, rightValue]) =>
      leftName === rightName ? (leftValue < rightValue ? -1 : 1) : leftName < rightName ? -1 : 1,
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value.join(',') : value).trim().replace(/\s+/g, ' ');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

export function verifyAwsSignatureV4(
  request: AwsSignedRequest,
  secretFor: (accessKeyId: string) => string | undefined,
): AwsSignatureVerdict {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization?.startsWith('AWS4-HMAC-SHA256')) return 'unsigned';
  const match = AUTHORIZATION_PATTERN.exec(authorization);
  if (!match) return 'malformed';
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as string[];
  const secret = secretFor(accessKeyId!);
  if (secret === undefined) return 'unknown-key';
  const amzDate = headerValue(request.headers, 'x-amz-date');
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (!amzDate || !payloadHash || !amzDate.startsWith(date!)) return 'malformed';

  const signedHeaders = signedHeaderList!.split(';');
  const canonicalHeaders = signedHeaders.map(
    (name) => `${name}:${headerValue(request.headers, name) ?? ''}\n`,
  );
  const queryStart = request.url.indexOf('?');
  // S3 signs the path as sent (encoded once, unlike other services, which encode it twice).
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const canonicalRequest = [
    request.method.toUpperCase(),
    path === '' ? '/' : path,
    canonicalQuery(query),
    canonicalHeaders.join(''),
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    scope,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  const expected = createHmac('sha256', signingKey).update(stringToSign, 'utf8').digest();
  const provided = Buffer.from(signature!, 'hex');
  return provided.length === expected.length && timingSafeEqual(provided, expected) ? 'valid' : 'mismatch';
}
