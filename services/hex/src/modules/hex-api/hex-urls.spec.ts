import { hexApiBaseUrl, hexBase62Id, hexProjectUrl, hexTokenType, normaliseHexHost } from './hex-urls.js';

describe('Hex URLs', () => {
  it('derives the API base from the host, trailing slashes and a pasted /api/v1 removed', () => {
    expect(hexApiBaseUrl('https://app.hex.tech')).toBe('https://app.hex.tech/api/v1');
    expect(hexApiBaseUrl('https://app.hex.tech/')).toBe('https://app.hex.tech/api/v1');
    expect(hexApiBaseUrl('https://acme.hex.tech/api/v1/')).toBe('https://acme.hex.tech/api/v1');
    expect(normaliseHexHost('http://127.0.0.1:8080//')).toBe('http://127.0.0.1:8080');
    expect(() => normaliseHexHost('ftp://x')).toThrow(/http/);
    expect(() => normaliseHexHost('not a url')).toThrow(/host must be a URL/);
    expect(() => normaliseHexHost('https://user:pw@app.hex.tech')).toThrow(/credentials/);
  });

  it('tells personal from workspace tokens by their prefix', () => {
    expect(hexTokenType('hxtp_abc')).toBe('personal');
    expect(hexTokenType('hxtw_abc')).toBe('workspace');
    expect(hexTokenType('abc')).toBe('unknown');
  });

  it('writes base62 ids: 16 bytes big-endian, 0-9A-Za-z, padded to 22', () => {
    expect(hexBase62Id('00000000-0000-0000-0000-000000000000')).toBe('0'.repeat(22));
    expect(hexBase62Id('00000000-0000-0000-0000-00000000003d')).toBe('0'.repeat(21) + 'z');
    expect(hexBase62Id('00000000-0000-0000-0000-00000000003e')).toBe('0'.repeat(20) + '10');
    expect(hexBase62Id('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe('7n42DGM5Tflk9n8mt7Fhc7');
    expect(hexBase62Id('d73da67d-c87b-4dd8-9e7f-b79cb7f822cf')).toHaveLength(22);
    expect(hexBase62Id('proj_123')).toBe('proj_123');
  });

  it('links published projects to /app/ and drafts to /hex/', () => {
    const id = '00000000-0000-0000-0000-00000000003e';
    expect(hexProjectUrl('https://app.hex.tech/', 'acme', id, true)).toBe(
      `https://app.hex.tech/acme/app/${'0'.repeat(20)}10`,
    );
    expect(hexProjectUrl('https://app.hex.tech', 'acme', id, false)).toBe(
      `https://app.hex.tech/acme/hex/${'0'.repeat(20)}10`,
    );
  });
});
