import { verifyAwsSignatureV4 } from './aws-signature.js';

// The worked examples of the AWS documentation ("Signature Calculations for the Authorization Header:
// Transferring Payload in a Single Chunk"), with their published signatures.
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_PAYLOAD_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const secretFor = (accessKeyId: string): string | undefined =>
  accessKeyId === ACCESS_KEY_ID ? SECRET_ACCESS_KEY : undefined;

function authorization(signedHeaders: string, signature: string, accessKeyId = ACCESS_KEY_ID): string {
  return (
    `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20130524/us-east-1/s3/aws4_request,` +
    `SignedHeaders=${signedHeaders},Signature=${signature}`
  );
}

const getObject = {
  method: 'GET',
  url: '/test.txt',
  headers: {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': EMPTY_PAYLOAD_HASH,
    'x-amz-date': '20130524T000000Z',
    authorization: authorization(
      'host;range;x-amz-content-sha256;x-amz-date',
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    ),
  },
};

const listObjects = {
  method: 'GET',
  url: '/?max-keys=2&prefix=J',
  headers: {
    host: 'examplebucket.s3.amazonaws.com',
    'x-amz-content-sha256': EMPTY_PAYLOAD_HASH,
    'x-amz-date': '20130524T000000Z',
    authorization: authorization(
      'host;x-amz-content-sha256;x-amz-date',
      '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
    ),
  },
};

describe('verifyAwsSignatureV4', () => {
  it('accepts the documented examples', () => {
    expect(verifyAwsSignatureV4(getObject, secretFor)).toBe('valid');
    expect(verifyAwsSignatureV4(listObjects, secretFor)).toBe('valid');
  });

  it('refuses a wrong secret, a changed signed header and a changed query', () => {
    expect(verifyAwsSignatureV4(getObject, () => 'another secret')).toBe('mismatch');
    expect(
      verifyAwsSignatureV4(
        { ...getObject, headers: { ...getObject.headers, range: 'bytes=0-99' } },
        secretFor,
      ),
    ).toBe('mismatch');
    expect(verifyAwsSignatureV4({ ...listObjects, url: '/?max-keys=1000&prefix=J' }, secretFor)).toBe(
      'mismatch',
    );
  });

  it('leaves unsigned requests and unknown keys to s3rver, and flags malformed ones', () => {
    expect(verifyAwsSignatureV4({ method: 'GET', url: '/', headers: {} }, secretFor)).toBe('unsigned');
    const unknown = authorization(
      'host',
      'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      'NOPE',
    );
    expect(
      verifyAwsSignatureV4(
        { ...getObject, headers: { ...getObject.headers, authorization: unknown } },
        secretFor,
      ),
    ).toBe('unknown-key');
    expect(
      verifyAwsSignatureV4(
        { ...getObject, headers: { ...getObject.headers, authorization: 'AWS4-HMAC-SHA256 garbage' } },
        secretFor,
      ),
    ).toBe('malformed');
  });
});
