import { highlight } from './highlight.js';

describe('highlight', () => {
  it('marks exact and prefix matches', () => {
    expect(highlight('stg_customers joined to orders', 'customer orders')).toBe(
      'stg_<mark>customers</mark> joined to <mark>orders</mark>',
    );
  });

  it('marks a word a misspelled query resembles', () => {
    expect(highlight('dim_customers', 'custmers')).toBe('dim_<mark>customers</mark>');
  });

  it('returns null when nothing matches, and escapes HTML', () => {
    expect(highlight('<b>payments</b>', 'zebra')).toBeNull();
    expect(highlight('<b>payments</b>', 'payments')).toBe('&lt;b&gt;<mark>payments</mark>&lt;/b&gt;');
  });
});
