import type { BucketCredentials, BucketProvider } from '@cartograph/platform/buckets';
import { badUserInput } from '@cartograph/platform/graphql';
import { Secret, secretHint } from '@cartograph/platform/secrets';
import type { DbtBucketCredentialsInput } from './bucket-connection.model.js';

// Credentials cross three forms: what an admin types (GraphQL input), what is encrypted at rest (this JSON,
// as one AES-256-GCM ciphertext bound to the connection id), and what a bucket client takes (secret fields
// wrapped in `Secret`, so a stray log line or error prints `[redacted]`). Nothing here ever puts a value
// into a message: errors name the field only.

/** The plaintext of `bucket_connection.credentials_ciphertext`. */
export type StoredBucketCredentials =
  | { provider: 's3' | 'gcs'; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | {
      provider: 'azure';
      accountName?: string;
      accountKey?: string;
      sasToken?: string;
      connectionString?: string;
    };

const S3_FIELDS = ['accessKeyId', 'secretAccessKey', 'sessionToken'] as const;
const AZURE_FIELDS = ['accountName', 'accountKey', 'sasToken', 'connectionString'] as const;
const LABELS: Record<BucketProvider, string> = { s3: 'S3', gcs: 'GCS', azure: 'AZURE' };

/** Where credentials are bound: a ciphertext copied onto another connection's row does not decrypt. */
export function credentialsContext(connectionId: string): string {
  return `dbt-bucket-connection:${connectionId}`;
}

function present(value: string | null | undefined): string | undefined {
  // Surrounding whitespace is a copy-paste accident, never part of a key.
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

function fieldError(field: string, message: string) {
  return badUserInput(`credentials.${field} ${message}`, { argument: `credentials.${field}` });
}

/**
 * Checks that the fields of `provider` are there and no field of another provider is, and returns what is
 * stored. Throws BAD_USER_INPUT naming the field.
 */
export function credentialsFromInput(
  provider: BucketProvider,
  input: DbtBucketCredentialsInput,
): StoredBucketCredentials {
  const label = LABELS[provider];
  const own: readonly string[] = provider === 'azure' ? AZURE_FIELDS : S3_FIELDS;
  const values = input as Record<string, string | null | undefined>;
  for (const field of [...S3_FIELDS, ...AZURE_FIELDS]) {
    if (!own.includes(field) && present(values[field])) {
      throw fieldError(field, `does not apply to provider ${label}`);
    }
  }
  if (provider !== 'azure') {
    const accessKeyId = present(input.accessKeyId);
    const secretAccessKey = present(input.secretAccessKey);
    if (!accessKeyId) throw fieldError('accessKeyId', `is required for provider ${label}`);
    if (!secretAccessKey) throw fieldError('secretAccessKey', `is required for provider ${label}`);
    const sessionToken = present(input.sessionToken);
    return { provider, accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
  }
  const azure = {
    accountName: present(input.accountName),
    accountKey: present(input.accountKey),
    sasToken: present(input.sasToken),
    connectionString: present(input.connectionString),
  };
  if (!azure.accountKey && !azure.sasToken && !azure.connectionString) {
    throw fieldError(
      'accountKey',
      'is required for provider AZURE unless credentials.sasToken or credentials.connectionString is given',
    );
  }
  if ((azure.accountKey || azure.sasToken) && !azure.accountName) {
    throw fieldError(
      'accountName',
      `is required for provider AZURE with credentials.${azure.accountKey ? 'accountKey' : 'sasToken'}`,
    );
  }
  const stored: StoredBucketCredentials = { provider: 'azure' };
  for (const field of AZURE_FIELDS) {
    if (azure[field]) stored[field] = azure[field];
  }
  return stored;
}

/** The one part of the credentials any API shows: the end of the secret that signs requests. */
export function credentialsHint(credentials: StoredBucketCredentials): string {
  const secret =
    credentials.provider === 'azure'
      ? (credentials.accountKey ?? credentials.sasToken ?? credentials.connectionString)
      : credentials.secretAccessKey;
  return secretHint(secret) ?? '…';
}

/** Stored credentials as a bucket client takes them, every secret wrapped. */
export function clientCredentials(credentials: StoredBucketCredentials): BucketCredentials {
  const wrap = (value: string | undefined) => (value === undefined ? null : new Secret(value));
  if (credentials.provider === 'azure') {
    return {
      provider: 'azure',
      accountName: credentials.accountName ?? '',
      accountKey: wrap(credentials.accountKey),
      sasToken: wrap(credentials.sasToken),
      connectionString: wrap(credentials.connectionString),
    };
  }
  return {
    provider: credentials.provider,
    accessKeyId: new Secret(credentials.accessKeyId),
    secretAccessKey: new Secret(credentials.secretAccessKey),
    sessionToken: wrap(credentials.sessionToken),
  };
}

/** Parses decrypted credentials; a row that does not hold what this file writes is a bug, said plainly. */
export function parseStoredCredentials(plain: string): StoredBucketCredentials {
  let parsed: StoredBucketCredentials | null = null;
  try {
    parsed = JSON.parse(plain) as StoredBucketCredentials;
  } catch {
    // JSON.parse quotes the text it could not read, which here is a credential.
  }
  if (!parsed || !['s3', 'gcs', 'azure'].includes(parsed.provider)) {
    throw new Error('Stored bucket credentials have no known provider');
  }
  return parsed;
}
