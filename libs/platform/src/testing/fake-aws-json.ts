import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { verifyAwsSignatureV4 } from './aws-signature.js';
import { FakeUpstream, reply, type FakeRequest, type FakeResponse } from './fake-upstream.js';

// The AWS JSON 1.1 protocol as services such as the Redshift Data API and Athena speak it: `POST /` with
// `X-Amz-Target: <Prefix>.<Operation>`, `Content-Type: application/x-amz-json-1.1`, a SigV4-signed request,
// and errors as `{"__type": "…", "message": "…"}`. Shared by the vendor fakes built on it, so that every one
// checks signatures, expired session tokens and IAM denials the way AWS does before any operation runs.

export interface FakeAwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** When set, requests must carry it as `X-Amz-Security-Token` (temporary credentials). */
  sessionToken?: string;
  /** Every request answers `ExpiredTokenException`, as AWS does once a session token has expired. */
  expired?: boolean;
  /** Identity named in `AccessDeniedException` messages. Default `arn:aws:iam::<account>:user/<key id>`. */
  arn?: string;
  /** IAM actions this identity may not call (`athena:ListQueryExecutions`). */
  deniedActions?: string[];
}

/** Thrown by an operation handler (or scripted) to answer with an AWS error. */
export class FakeAwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly fields: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** One call as the fake received it, after authentication. */
export interface FakeAwsCall {
  operation: string;
  input: Record<string, unknown>;
  accessKeyId: string;
  /** Whether a scripted fault answered instead of the operation. */
  faulted: boolean;
  receivedAt: Date;
}

export type FakeAwsOperationHandler = (input: Record<string, unknown>, call: FakeAwsCall) => unknown;

export interface FakeAwsJsonServiceOptions {
  /** `RedshiftData`, `AmazonAthena`. */
  targetPrefix: string;
  /** The SigV4 service name in the credential scope (`redshift-data`, `athena`). */
  signingName: string;
  /** Prefix of IAM actions (`redshift-data`, `athena`). */
  actionPrefix: string;
  region?: string;
  accountId?: string;
  credentials: FakeAwsCredentials[];
}

interface ScriptedAwsFault {
  operation: string | undefined;
  remaining: number;
  error: FakeAwsError;
}

const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

export class FakeAwsJsonService {
  readonly upstream = new FakeUpstream();
  /** Authenticated calls, in order, faulted ones included. */
  readonly calls: FakeAwsCall[] = [];
  readonly region: string;
  readonly accountId: string;
  readonly #options: FakeAwsJsonServiceOptions;
  readonly #credentials: FakeAwsCredentials[];
  readonly #operations = new Map<string, FakeAwsOperationHandler>();
  #faults: ScriptedAwsFault[] = [];

  constructor(options: FakeAwsJsonServiceOptions) {
    this.#options = options;
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.#credentials = options.credentials.map((credentials) => ({ ...credentials }));
    this.upstream.route('POST', '/', (request) => this.#handle(request));
  }

  /** Starts the server; returns the endpoint to configure in the SDK client (`http://127.0.0.1:PORT`). */
  start(): Promise<string> {
    return this.upstream.start();
  }

  stop(): Promise<void> {
    return this.upstream.stop();
  }

  get endpoint(): string {
    return this.upstream.baseUrl;
  }

  /** Registers (or replaces) the handler of an operation; its return value is sent as the JSON output. */
  operation(name: string, handler: FakeAwsOperationHandler): this {
    this.#operations.set(name, handler);
    return this;
  }

  /** Answers the next `count` calls (of one operation, or any) with the error instead. */
  failNext(count: number, error: FakeAwsError, operation?: string): this {
    this.#faults.push({ operation, remaining: count, error });
    return this;
  }

  /** `ThrottlingException: Rate exceeded`, as an API rate limit answers; the SDK retries it with backoff. */
  throttleNext(count: number, operation?: string): this {
    return this.failNext(count, new FakeAwsError('ThrottlingException', 'Rate exceeded'), operation);
  }

  /** Marks the session token of a key as expired (or valid again). */
  expireCredentials(accessKeyId: string, expired = true): this {
    const credentials = this.#credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
    if (!credentials) throw new Error(`no fake AWS credentials with access key id ${accessKeyId}`);
    credentials.expired = expired;
    return this;
  }

  /** Denies (or allows again) IAM actions to a key. */
  denyActions(accessKeyId: string, actions: string[]): this {
    const credentials = this.#credentials.find((candidate) => candidate.accessKeyId === accessKeyId);
    if (!credentials) throw new Error(`no fake AWS credentials with access key id ${accessKeyId}`);
    credentials.deniedActions = actions;
    return this;
  }

  callsTo(operation: string): FakeAwsCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }

  /** Forgets calls, scripted faults and recorded requests; keeps operations and credentials. */
  reset(): void {
    this.calls.length = 0;
    this.#faults = [];
    this.upstream.reset();
  }

  async #handle(request: FakeRequest): Promise<FakeResponse> {
    try {
      const credentials = this.#authenticate(request);
      const target = headerText(request.headers, 'x-amz-target') ?? '';
      const prefix = `${this.#options.targetPrefix}.`;
      const operation = target.startsWith(prefix) ? target.slice(prefix.length) : '';
      const handler = this.#operations.get(operation);
      if (!handler) throw new FakeAwsError('UnknownOperationException', `Unknown operation ${target}`);
      const contentType = headerText(request.headers, 'content-type') ?? '';
      if (!contentType.startsWith(JSON_CONTENT_TYPE)) {
        throw new FakeAwsError('SerializationException', `Expected Content-Type ${JSON_CONTENT_TYPE}`);
      }
      const input = parseInput(request.rawBody);
      const call: FakeAwsCall = {
        operation,
        input,
        accessKeyId: credentials.accessKeyId,
        faulted: false,
        receivedAt: new Date(),
      };
      this.calls.push(call);
      const fault = this.#takeFault(operation);
      if (fault) {
        call.faulted = true;
        throw fault;
      }
      const action = `${this.#options.actionPrefix}:${operation}`;
      if (credentials.deniedActions?.includes(action)) {
        const arn = credentials.arn ?? `arn:aws:iam::${this.accountId}:user/${credentials.accessKeyId}`;
        throw new FakeAwsError(
          'AccessDeniedException',
          `User: ${arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`,
        );
      }
      const output = await handler(input, call);
      return reply.json(output ?? {}, 200, this.#responseHeaders());
    } catch (error) {
      if (!(error instanceof FakeAwsError)) throw error;
      return reply.json({ __type: error.type, message: error.message, ...error.fields }, error.status, {
        ...this.#responseHeaders(),
        'x-amzn-errortype': error.type,
      });
    }
  }

  #authenticate(request: FakeRequest): FakeAwsCredentials {
    // Non-S3 services sign the payload hash without sending it as a header; computing it from the body
    // makes any change to the body after signing a signature mismatch, as it is on AWS.
    const payloadHash = createHash('sha256').update(request.rawBody).digest('hex');
    const sentHash = headerText(request.headers, 'x-amz-content-sha256');
    const headers: IncomingHttpHeaders = { ...request.headers, 'x-amz-content-sha256': payloadHash };
    const verdict =
      sentHash !== undefined && sentHash !== payloadHash
        ? 'mismatch'
        : verifyAwsSignatureV4(
            { method: request.method, url: '/', headers },
            (accessKeyId) =>
              this.#credentials.find((candidate) => candidate.accessKeyId === accessKeyId)?.secretAccessKey,
          );
    if (verdict === 'unsigned' || verdict === 'malformed') {
      throw new FakeAwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', 403);
    }
    if (verdict === 'unknown-key') {
      throw new FakeAwsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    if (verdict === 'mismatch') {
      throw new FakeAwsError(
        'InvalidSignatureException',
        'The request signature we calculated does not match the signature you provided. Check your AWS ' +
          'Secret Access Key and signing method. Consult the service documentation for details.',
      );
    }
    const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(
      headerText(request.headers, 'authorization') ?? '',
    );
    const [, accessKeyId, , service] = scope ?? [];
    if (service !== this.#options.signingName) {
      throw new FakeAwsError(
        'InvalidSignatureException',
        `Credential should be scoped to correct service: '${this.#options.signingName}'.`,
      );
    }
    const credentials = this.#credentials.find((candidate) => candidate.accessKeyId === accessKeyId)!;
    const sessionToken = headerText(request.headers, 'x-amz-security-token');
    if (credentials.sessionToken !== undefined && sessionToken !== credentials.sessionToken) {
      throw new FakeAwsError(
        'UnrecognizedClientException',
        'The security token included in the request is invalid.',
      );
    }
    if (credentials.expired) {
      throw new FakeAwsError(
        'ExpiredTokenException',
        'The security token included in the request is expired',
      );
    }
    return credentials;
  }

  #takeFault(operation: string): FakeAwsError | undefined {
    const index = this.#faults.findIndex(
      (fault) => fault.operation === undefined || fault.operation === operation,
    );
    if (index === -1) return undefined;
    const fault = this.#faults[index]!;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#faults.splice(index, 1);
    return fault.error;
  }

  #responseHeaders(): Record<string, string> {
    return { 'content-type': JSON_CONTENT_TYPE, 'x-amzn-requestid': randomUUID() };
  }
}

function headerText(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function parseInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  try {
    const value = JSON.parse(body.toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // Reported below.
  }
  throw new FakeAwsError('SerializationException', 'The request body is not a JSON object');
}

/** Seconds since the epoch with a fraction, as AWS JSON protocols send timestamps. */
export function awsEpochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** An opaque pagination token for an offset, and back; a token the fake did not issue is refused. */
export function encodeAwsNextToken(offset: number): string {
  return Buffer.from(`next:${offset}`, 'utf8').toString('base64');
}

export function decodeAwsNextToken(token: unknown, errorType = 'ValidationException'): number {
  if (token === undefined || token === null) return 0;
  const match = /^next:(\d+)$/.exec(Buffer.from(String(token), 'base64').toString('utf8'));
  if (!match) throw new FakeAwsError(errorType, 'The NextToken is not valid.');
  return Number(match[1]);
}
