import { inspect } from 'node:util';
import {
  azureFailure,
  bucketErrorFromFailure,
  s3Failure,
  type BucketErrorContext,
} from './bucket-error.mapper.js';

const SECRET = 'sv=2025-01-05&sig=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789%2B%2F%3D';

const context: BucketErrorContext = {
  provider: 's3',
  bucket: 'artifacts',
  operation: 'list',
  endpoint: 'https://minio.example.com:9000/some/path',
  timeoutMs: 5000,
  secrets: [SECRET, 'AKIAEXAMPLEKEYID'],
};

function s3Error(name: string, status?: number, extra: Record<string, unknown> = {}): unknown {
  return Object.assign(new Error(`SDK message with AKIAEXAMPLEKEYID and ${SECRET}`), {
    name,
    $metadata: status === undefined ? undefined : { httpStatusCode: status },
    ...extra,
  });
}

describe('bucket error mapping', () => {
  it.each([
    [
      'InvalidAccessKeyId',
      403,
      'AUTH_FAILED',
      "S3 refused the credentials for bucket 'artifacts' (InvalidAccessKeyId)",
    ],
    [
      'SignatureDoesNotMatch',
      403,
      'AUTH_FAILED',
      "S3 refused the credentials for bucket 'artifacts' (SignatureDoesNotMatch)",
    ],
    [
      'AccessDenied',
      403,
      'AUTH_FAILED',
      "S3 denied the credentials access to bucket 'artifacts' (AccessDenied)",
    ],
    ['NoSuchBucket', 404, 'NOT_FOUND', "S3 bucket 'artifacts' does not exist (NoSuchBucket)"],
    ['PermanentRedirect', 301, 'BAD_CONFIGURATION', undefined],
    ['AuthorizationHeaderMalformed', 400, 'BAD_CONFIGURATION', undefined],
    ['SlowDown', 503, 'UNAVAILABLE', undefined],
    ['InternalError', 500, 'UNAVAILABLE', undefined],
    [
      'Unknown',
      502,
      'UNAVAILABLE',
      "S3 bucket 'artifacts' at https://minio.example.com:9000 is unavailable (list: HTTP 502)",
    ],
  ])('maps S3 %s (%d) to %s', (name, status, code, message) => {
    const error = bucketErrorFromFailure(s3Failure(s3Error(name, status)), context);
    expect(error.code).toBe(code);
    if (message) expect(error.message).toBe(message);
  });

  it('maps network failures and timeouts without a status to UNAVAILABLE', () => {
    const refused = bucketErrorFromFailure(
      s3Failure(s3Error('Error', undefined, { code: 'ECONNREFUSED' })),
      context,
    );
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.causeCode).toBe('ECONNREFUSED');
    const timedOut = bucketErrorFromFailure(
      s3Failure(s3Error('TimeoutError', undefined, { code: 'ETIMEDOUT' })),
      context,
    );
    expect(timedOut.message).toBe(
      "S3 bucket 'artifacts' at https://minio.example.com:9000 did not answer within 5000 ms (list)",
    );
    expect(timedOut.retryable).toBe(true);
    expect(timedOut.graphqlCode).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('tells a missing object from a missing bucket on download', () => {
    const download = { ...context, operation: 'download' as const, key: 'dbt/manifest.json' };
    expect(bucketErrorFromFailure(s3Failure(s3Error('NoSuchKey', 404)), download).message).toBe(
      "S3 object 'dbt/manifest.json' does not exist in bucket 'artifacts' (NoSuchKey)",
    );
    expect(bucketErrorFromFailure(s3Failure(s3Error('NoSuchBucket', 404)), download).message).toBe(
      "S3 bucket 'artifacts' does not exist (NoSuchBucket)",
    );
  });

  it('maps Azure RestErrors by their x-ms-error-code', () => {
    const azure = { ...context, provider: 'azure' as const, endpoint: `https://acct.blob.core.windows.net` };
    const restError = (code: string, statusCode: number): unknown =>
      Object.assign(new Error(`Azure message ${SECRET}`), {
        name: 'RestError',
        code,
        statusCode,
        request: { url: `https://acct.blob.core.windows.net/artifacts?${SECRET}` },
      });
    expect(bucketErrorFromFailure(azureFailure(restError('AuthenticationFailed', 403)), azure).message).toBe(
      "Azure Blob Storage refused the credentials for container 'artifacts' (AuthenticationFailed)",
    );
    expect(bucketErrorFromFailure(azureFailure(restError('ContainerNotFound', 404)), azure).code).toBe(
      'NOT_FOUND',
    );
    expect(bucketErrorFromFailure(azureFailure(restError('ServerBusy', 503)), azure).code).toBe(
      'UNAVAILABLE',
    );
  });

  it('keeps nothing of the SDK error: no secret in the message, the JSON or the inspected error', () => {
    const hostileCode = `Bad ${SECRET}`;
    for (const failure of [
      s3Failure(s3Error('InvalidAccessKeyId', 403)),
      s3Failure(s3Error(hostileCode, 403)),
      azureFailure({ code: hostileCode, statusCode: 403, message: SECRET }),
    ]) {
      const error = bucketErrorFromFailure(failure, context);
      for (const text of [error.message, JSON.stringify(error), inspect(error), String(error.stack)]) {
        expect(text).not.toContain('AbCdEfGhIjKl');
        expect(text).not.toContain('AKIAEXAMPLEKEYID');
      }
      expect(error.cause).toBeUndefined();
    }
  });
});
