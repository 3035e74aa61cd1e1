import { dbtCloudEndpoints, discoveryUrlFor, isLegacyHost } from './dbt-cloud-hosts.js';
import { DbtCloudError } from './dbt-cloud.error.js';

describe('dbtCloudEndpoints', () => {
  it.each([
    ['https://cloud.getdbt.com', 'https://metadata.cloud.getdbt.com/graphql'],
    ['https://emea.dbt.com/', 'https://metadata.emea.dbt.com/graphql'],
    ['https://au.dbt.com', 'https://metadata.au.dbt.com/graphql'],
    ['https://acme.getdbt.com', 'https://metadata.acme.getdbt.com/graphql'],
    ['https://ab123.us1.dbt.com', 'https://ab123.metadata.us1.dbt.com/graphql'],
    ['https://AB123.eu2.dbt.com/', 'https://ab123.metadata.eu2.dbt.com/graphql'],
    ['https://dbt.acme-vpc.com', 'https://metadata.dbt.acme-vpc.com/graphql'],
    ['http://cloud.getdbt.com:8080', 'http://metadata.cloud.getdbt.com:8080/graphql'],
    ['http://127.0.0.1:4567', 'http://127.0.0.1:4567/graphql'],
  ])('derives the Discovery URL of %s', (accessUrl, discoveryUrl) => {
    expect(dbtCloudEndpoints(accessUrl).discoveryUrl).toBe(discoveryUrl);
    expect(discoveryUrlFor(accessUrl)).toBe(discoveryUrl);
  });

  it('keeps the origin of the access URL only, assuming https without a scheme', () => {
    expect(dbtCloudEndpoints('https://ab123.us1.dbt.com/deploy/1/projects/2/').adminBaseUrl).toBe(
      'https://ab123.us1.dbt.com',
    );
    expect(dbtCloudEndpoints(' ab123.us1.dbt.com ').adminBaseUrl).toBe('https://ab123.us1.dbt.com');
  });

  it('prefers an explicit Discovery URL, without its trailing slash', () => {
    expect(
      dbtCloudEndpoints('https://ab123.us1.dbt.com', 'https://ab123.metadata.us1.dbt.com/graphql/')
        .discoveryUrl,
    ).toBe('https://ab123.metadata.us1.dbt.com/graphql');
    expect(dbtCloudEndpoints('https://x.us1.dbt.com', 'https://proxy.acme.com').discoveryUrl).toBe(
      'https://proxy.acme.com/graphql',
    );
    expect(dbtCloudEndpoints('https://x.us1.dbt.com', '  ').discoveryUrl).toBe(
      'https://x.metadata.us1.dbt.com/graphql',
    );
  });

  it('accepts http(s) only', () => {
    for (const url of ['ftp://cloud.getdbt.com', 'https://', 'https://user:pw@cloud.getdbt.com']) {
      expect(() => dbtCloudEndpoints(url)).toThrow(DbtCloudError);
    }
    try {
      dbtCloudEndpoints('ftp://cloud.getdbt.com');
    } catch (error) {
      expect((error as DbtCloudError).code).toBe('BAD_USER_INPUT');
    }
  });
});

describe('isLegacyHost', () => {
  it('recognises the multi-tenant hosts of before cells', () => {
    expect(isLegacyHost('https://cloud.getdbt.com/')).toBe(true);
    expect(isLegacyHost('https://EMEA.dbt.com')).toBe(true);
    expect(isLegacyHost('https://metadata.au.dbt.com/graphql')).toBe(true);
    expect(isLegacyHost('http://cloud.getdbt.com:8080')).toBe(true);
    expect(isLegacyHost('https://ab123.us1.dbt.com')).toBe(false);
    expect(isLegacyHost('https://acme.getdbt.com')).toBe(false);
    expect(isLegacyHost('not a url at all')).toBe(false);
  });
  it('is reported by dbtCloudEndpoints', () => {
    expect(dbtCloudEndpoints('https://cloud.getdbt.com').legacyHost).toBe(true);
    expect(dbtCloudEndpoints('https://ab123.us1.dbt.com').legacyHost).toBe(false);
  });
});
