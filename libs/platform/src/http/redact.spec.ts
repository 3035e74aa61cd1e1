import { redactHeaders, redactSecrets, redactUrl, redactedExcerpt, redactedPath } from './redact.js';

describe('redactSecrets', () => {
  it('keeps the message after an error name that contains a sensitive word', () => {
    expect(
      redactSecrets('ExpiredTokenException: The security token included in the request is expired'),
    ).toBe('ExpiredTokenException: The security token included in the request is expired');
    expect(redactSecrets('InvalidSignatureError: signature mismatch')).toBe(
      'InvalidSignatureError: signature mismatch',
    );
    expect(redactSecrets('token: abc123def')).toBe('token: [redacted]');
    expect(redactSecrets('session_token=abc123def')).toBe('session_token=[redacted]');
  });

  it('removes registered secrets and their URL- and JSON-encoded forms', () => {
    const secret = 'p@ss w/rd"x';
    const text = `raw ${secret} url ${encodeURIComponent(secret)} json ${JSON.stringify({ value: secret })}`;
    const redacted = redactSecrets(text, [secret]);
    expect(redacted).not.toContain('p@ss');
    expect(redacted).not.toContain('p%40ss');
    expect(redacted).toBe('raw [redacted] url [redacted] json {"value":"[redacted]"}');
  });

  it('removes the longer of two overlapping secrets whole', () => {
    expect(redactSecrets('abc-long-secret', ['abc', 'abc-long-secret'])).toBe('[redacted]');
  });

  it('ignores empty and very short secrets instead of mangling the text', () => {
    expect(redactSecrets('a bad day', ['', 'a', undefined, null])).toBe('a bad day');
  });

  it('removes credentials recognisable by their shape', () => {
    expect(redactSecrets('Authorization: Bearer abcDEF123456ghi')).not.toContain('abcDEF123456ghi');
    expect(redactSecrets('sent Token 0123456789abcdef')).toBe('sent Token [redacted]');
    expect(redactSecrets('GET /x?token=t0k3n&page=2&api_key=k3y&signature=s1g')).toBe(
      'GET /x?token=[redacted]&page=2&api_key=[redacted]&signature=[redacted]',
    );
    expect(redactSecrets('key=abc sort_key=name')).toBe('key=[redacted] sort_key=name');
    expect(redactSecrets('{"password": "hunter2", "user":"ann", "client_secret":"s\\"x"}')).toBe(
      '{"password": "[redacted]", "user":"ann", "client_secret":"[redacted]"}',
    );
    expect(redactSecrets('password: hunter2')).toBe('password: [redacted]');
  });

  it('keeps ordinary prose readable', () => {
    const prose = 'Token expired, error code: 500, the primary key: id';
    expect(redactSecrets(prose)).toBe(prose);
  });
});

describe('redactUrl', () => {
  it('redacts sensitive query parameters and user info, keeps the rest', () => {
    expect(redactUrl('https://user:pw@api.example.com/a/b?token=abc&limit=10&X-Amz-Signature=ff')).toBe(
      'https://[redacted]@api.example.com/a/b?token=[redacted]&limit=10&X-Amz-Signature=[redacted]',
    );
  });

  it('keeps relative URLs relative', () => {
    expect(redactUrl('/api/v2/runs/?password=x&offset=5')).toBe('/api/v2/runs/?password=[redacted]&offset=5');
  });

  it('removes registered secrets from the path', () => {
    expect(redactUrl('https://hooks.example.com/services/s3cr3t-path', ['s3cr3t-path'])).toBe(
      'https://hooks.example.com/services/[redacted]',
    );
  });
});

describe('redactedPath, redactHeaders, redactedExcerpt', () => {
  it('drops the query string from a path', () => {
    expect(redactedPath('https://x.test/a/b?token=abc')).toBe('/a/b');
  });

  it('redacts credential headers by name', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer x',
        'X-Api-Key': 'k',
        'x-dbt-service-token': 't',
        accept: 'json',
      }),
    ).toEqual({
      Authorization: '[redacted]',
      'X-Api-Key': '[redacted]',
      'x-dbt-service-token': '[redacted]',
      accept: 'json',
    });
  });

  it('redacts before cutting, so a secret at the boundary cannot leak half', () => {
    const secret = 'abcdefghijklmnop';
    const excerpt = redactedExcerpt(`${'x'.repeat(10)}${secret}`, [secret], 15);
    expect(excerpt).toBe(`${'x'.repeat(10)}[reda…`);
  });
});
