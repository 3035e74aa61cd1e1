import { queryFailureCode, SemanticLayerUpstreamError } from './semantic-layer-upstream.error.js';

describe('queryFailureCode', () => {
  it('treats MetricFlow validation and warehouse argument errors as the user’s to fix', () => {
    expect(
      queryFailureCode("Unable to resolve metric 'revehue'. Suggestions: ['revenue', 'orders_total']"),
    ).toBe('BAD_USER_INPUT');
    expect(
      queryFailureCode('INVALID_ARGUMENT: [FlightSQL] Error executing query job (InvalidArgument; Prepare)'),
    ).toBe('BAD_USER_INPUT');
  });

  it('treats other failures, and a missing text, as the platform being unavailable', () => {
    expect(queryFailureCode('Warehouse connection refused')).toBe('UPSTREAM_UNAVAILABLE');
    expect(queryFailureCode(null)).toBe('UPSTREAM_UNAVAILABLE');
  });
});

describe('SemanticLayerUpstreamError', () => {
  it('removes the token from its message', () => {
    const error = new SemanticLayerUpstreamError('UPSTREAM_AUTH_FAILED', 'token dbtc_secret123 refused', {
      secrets: ['dbtc_secret123'],
    });
    expect(error.message).not.toContain('dbtc_secret123');
    expect(error.code).toBe('UPSTREAM_AUTH_FAILED');
  });
});
