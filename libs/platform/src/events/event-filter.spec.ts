import { eventMatches } from './event-filter.js';

const event = { type: 'dataset.upserted', subject: 'snowflake://acme/analytics.public.orders' };

describe('eventMatches', () => {
  it('filters by type', () => {
    expect(eventMatches({ types: ['dataset.upserted'] }, event)).toBe(true);
    expect(eventMatches({ types: ['dataset.removed'] }, event)).toBe(false);
    expect(eventMatches({ types: [] }, event)).toBe(true);
  });

  it('filters by subject glob, treating regex characters literally', () => {
    expect(eventMatches({ subject: 'snowflake://acme/*' }, event)).toBe(true);
    expect(eventMatches({ subject: '*.orders' }, event)).toBe(true);
    expect(eventMatches({ subject: 'snowflake://acme/analytics.public.orderz' }, event)).toBe(false);
    expect(eventMatches({ subject: 'snowflake://acme/analytics.public.order.' }, event)).toBe(false);
  });
});
