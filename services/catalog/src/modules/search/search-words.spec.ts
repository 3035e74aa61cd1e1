import { buildTextQuery, searchWords } from './search-words.js';

describe('search words', () => {
  it('splits names and queries into distinct lower-case words', () => {
    expect(searchWords('stg_Customers__orders customers')).toEqual(['stg', 'customers', 'orders']);
    expect(searchWords("a b 'x'; DROP TABLE--")).toEqual(['drop', 'table']);
    expect(searchWords('Straße_überblick')).toEqual(['straße', 'überblick']);
  });

  it('requires every word, allowing corrections and a prefix on the last one', () => {
    const corrections = new Map([
      ['custmer', ['customer', 'customers']],
      ['ordrs', ['orders']],
    ]);
    expect(buildTextQuery(['custmer', 'ordrs'], corrections)).toBe('(custmer | customer | customers) & (ordrs:* | orders:*)');
    expect(buildTextQuery(['revenue'], new Map())).toBe('revenue:*');
  });
});
