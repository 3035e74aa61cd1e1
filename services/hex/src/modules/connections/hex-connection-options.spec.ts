import { GraphQLError } from 'graphql';
import {
  checkDataConnections,
  checkOptions,
  matchesProjectFilter,
  projectFilter,
} from './hex-connection-options.js';

describe('Hex connection options', () => {
  it('keeps the defaults for what is left out and takes what is given', () => {
    const options = checkOptions({ includeArchived: true, statuses: [' Approved ', 'Approved'] });
    expect(options).toMatchObject({
      includeArchived: true,
      includeComponents: true,
      includeDrafts: true,
      statuses: ['Approved'],
      fullSyncIntervalHours: 24,
    });
  });

  it('refuses an invalid regular expression with a message naming it', () => {
    expect(() => checkOptions({ includePatterns: ['sales[('] })).toThrow(GraphQLError);
    expect(() => checkOptions({ includePatterns: ['sales[('] })).toThrow(
      /options\.includePatterns: "sales\[\(" is not a valid regular expression/,
    );
  });

  it('refuses a pattern that could backtrack catastrophically', () => {
    expect(() => checkOptions({ excludePatterns: ['(a+)+$'] })).toThrow(/exponential time/);
  });

  it('refuses an interval out of range and unknown platform names', () => {
    expect(() => checkOptions({ fullSyncIntervalHours: -1 })).toThrow(/fullSyncIntervalHours/);
    expect(() => checkDataConnections([{ dataConnectionId: 'dc', platform: 'Snow Flake!' }])).toThrow(
      /platform/,
    );
    expect(
      checkDataConnections([{ dataConnectionId: 'dc', platform: 'PostgreSQL', defaultSchema: ' public ' }]),
    ).toEqual({
      dc: { platform: 'postgres', instance: null, defaultDatabase: null, defaultSchema: 'public' },
    });
  });

  it('matches patterns on the title and on the collection path in dot notation', () => {
    const project = { title: 'Revenue', collections: ['Finance', 'Board'] };
    expect(
      matchesProjectFilter(projectFilter({ includePatterns: ['^rev'], excludePatterns: [] }), project),
    ).toBe(true);
    expect(
      matchesProjectFilter(projectFilter({ includePatterns: ['^Finance\\.'], excludePatterns: [] }), project),
    ).toBe(true);
    expect(
      matchesProjectFilter(
        projectFilter({ includePatterns: ['^Marketing\\.'], excludePatterns: [] }),
        project,
      ),
    ).toBe(false);
    expect(
      matchesProjectFilter(projectFilter({ includePatterns: [], excludePatterns: ['^Board\\.'] }), project),
    ).toBe(false);
    expect(matchesProjectFilter(projectFilter({ includePatterns: [], excludePatterns: [] }), project)).toBe(
      true,
    );
  });
});
