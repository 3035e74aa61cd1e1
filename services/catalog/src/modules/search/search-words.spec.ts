import { buildTextQuery, isIdentifierLike, searchWords } from './search-words.js';

describe('search words', () => {
  it('splits names and queries into distinct lower-case words', () => {
    expect(searchWords('stg_Customers__orders customers')).toEqual(['stg', 'customers', 'orders']);
    expect(searchWords("a b 'x'; DROP TABLE--")).toEqual(['drop', 'table']);
    expect(searchWords('Straße_überblick')).toEqual(['straße', 'überblick']);
  });

  it('requires every word, allowing stems, corrections and a prefix on an unknown last word', () => {
    expect(
      buildTextQuery([
        { word: 'custmer', known: false, stems: ['custmer'], corrections: ['customer', 'customers'] },
        { word: 'ordrs', known: false, stems: ['ordr'], corrections: ['orders'] },
      ]),
    ).toBe('(custmer | customer | customers) & (ordrs:* | ordr | orders)');
    expect(buildTextQuery([{ word: 'payments', known: true, stems: ['payment'], corrections: [] }])).toBe(
      '(payments | payment)',
    );
    const two = [
      { word: 'revenue', known: true, stems: ['revenu'], corrections: [] },
      { word: 'daily', known: true, stems: ['daili'], corrections: [] },
    ];
    expect(buildTextQuery(two, 'any')).toBe('(revenue | revenu) | (daily | daili)');
  });

  it('recognises identifier-like queries', () => {
    expect(isIdentifierLike('fct_ord')).toBe(true);
    expect(isIdentifierLike('revenue daily')).toBe(false);
    expect(isIdentifierLike('marts.orders')).toBe(false);
    expect(isIdentifierLike('ab')).toBe(false);
  });
});
