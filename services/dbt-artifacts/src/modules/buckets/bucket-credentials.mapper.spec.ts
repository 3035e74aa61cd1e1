import { inspect } from 'node:util';
import { GraphQLError } from 'graphql';
import {
  clientCredentials,
  credentialsFromInput,
  credentialsHint,
  parseStoredCredentials,
} from './bucket-credentials.mapper.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function refusal(action: () => unknown): GraphQLError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions.code).toBe('BAD_USER_INPUT');
    expect((error as GraphQLError).message).not.toContain(SECRET);
    return error as GraphQLError;
  }
  throw new Error('expected BAD_USER_INPUT');
}

describe('bucket credentials', () => {
  it('keeps the fields of S3 and GCS, trimmed, and hints the secret', () => {
    const stored = credentialsFromInput('s3', {
      accessKeyId: ' AKIAEXAMPLE ',
      secretAccessKey: `${SECRET}\n`,
    });
    expect(stored).toEqual({ provider: 's3', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET });
    expect(credentialsHint(stored)).toBe('…EKEY');
    expect(credentialsHint({ provider: 'gcs', accessKeyId: 'a', secretAccessKey: 'short' })).toBe('…');
  });

  it('names the missing or misplaced field per provider', () => {
    expect(refusal(() => credentialsFromInput('s3', { accessKeyId: 'AKIA' })).message).toBe(
      'credentials.secretAccessKey is required for provider S3',
    );
    expect(refusal(() => credentialsFromInput('gcs', { secretAccessKey: SECRET })).message).toBe(
      'credentials.accessKeyId is required for provider GCS',
    );
    expect(
      refusal(() =>
        credentialsFromInput('s3', { accessKeyId: 'AKIA', secretAccessKey: SECRET, accountKey: SECRET }),
      ).message,
    ).toBe('credentials.accountKey does not apply to provider S3');
    expect(refusal(() => credentialsFromInput('azure', { accountName: 'acme' })).message).toMatch(
      /^credentials\.accountKey is required for provider AZURE unless credentials\.sasToken or credentials\.connectionString/,
    );
    expect(refusal(() => credentialsFromInput('azure', { sasToken: SECRET })).message).toBe(
      'credentials.accountName is required for provider AZURE with credentials.sasToken',
    );
    expect(
      refusal(() => credentialsFromInput('azure', { connectionString: SECRET, secretAccessKey: SECRET }))
        .message,
    ).toBe('credentials.secretAccessKey does not apply to provider AZURE');
    expect(credentialsFromInput('azure', { connectionString: SECRET })).toEqual({
      provider: 'azure',
      connectionString: SECRET,
    });
  });

  it('hands secrets to a client wrapped, so printing them prints [redacted]', () => {
    const client = clientCredentials({ provider: 's3', accessKeyId: 'AKIAEXAMPLE', secretAccessKey: SECRET });
    expect(`${JSON.stringify(client)} ${inspect(client)}`).not.toContain(SECRET);
  });

  it('never quotes what it could not parse', () => {
    expect(() => parseStoredCredentials(`{"secret":"${SECRET}"`)).toThrow(/no known provider/);
    try {
      parseStoredCredentials(`not json ${SECRET}`);
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });
});
