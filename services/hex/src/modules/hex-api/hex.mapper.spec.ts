import { mapProject, parseHexTimestamp, readHexReason, readPage } from './hex.mapper.js';

const page = {
  values: [
    {
      id: 'c8f815c8-88c2-4dea-981f-69f544d6165d',
      title: 'Welcome to Hex!-0',
      description: 'Get started.\n\n',
      type: 'PROJECT',
      creator: { email: 'user1@example.com' },
      owner: { email: 'user4a@example.com' },
      status: { name: 'Approved' },
      categories: [
        { name: 'Finance', description: null },
        { name: 'Finance', description: null },
      ],
      reviews: { required: false },
      analytics: {
        appViews: { allTime: 12, lastSevenDays: 1, lastFourteenDays: 2, lastThirtyDays: 3 },
        lastViewedAt: '2024-08-22T10:00:00Z',
        publishedResultsUpdatedAt: null,
      },
      lastEditedAt: '2024-08-21T17:16:09.567Z',
      lastPublishedAt: '2024-08-21T17:20:00Z',
      createdAt: '2024-08-21T17:07:19.275Z',
      archivedAt: null,
      trashedAt: null,
      schedules: [
        {
          cadence: 'DAILY',
          enabled: true,
          hourly: null,
          daily: { timezone: '+05:30', minute: 0, hour: 6 },
          weekly: null,
          monthly: null,
          custom: null,
        },
      ],
      sharing: {
        users: [],
        collections: [{ collection: { name: 'Board' }, access: 'CAN_VIEW' }],
        groups: [],
        workspace: { access: 'NONE' },
        publicWeb: { access: 'NONE' },
        support: { access: 'NONE' },
      },
    },
  ],
  pagination: { after: 'djI6WyJhIiwiYiJd', before: 'djI6WyJhIiwiYiJd' },
};

describe('Hex mapper', () => {
  it('reads a listed project: owner and creator apart, status, categories once, collections, views, schedules', () => {
    const { values, after } = readPage(page, 'project');
    expect(after).toBe('djI6WyJhIiwiYiJd');
    const project = mapProject(values[0]);
    expect(project).toMatchObject({
      id: 'c8f815c8-88c2-4dea-981f-69f544d6165d',
      title: 'Welcome to Hex!-0',
      description: 'Get started.',
      type: 'PROJECT',
      creatorEmail: 'user1@example.com',
      ownerEmail: 'user4a@example.com',
      status: 'Approved',
      categories: ['Finance'],
      collections: ['Board'],
      appViews: { allTime: 12, lastSevenDays: 1, lastFourteenDays: 2, lastThirtyDays: 3 },
      schedules: [{ cadence: 'DAILY', enabled: true, settings: { timezone: '+05:30', minute: 0, hour: 6 } }],
    });
    expect(project.lastEditedAt?.toISOString()).toBe('2024-08-21T17:16:09.567Z');
    expect(project.lastPublishedAt?.toISOString()).toBe('2024-08-21T17:20:00.000Z');
  });

  it('reads timestamps with and without milliseconds and refuses other text', () => {
    expect(parseHexTimestamp('2024-12-09T15:39:26.093Z')?.getTime()).toBe(
      Date.UTC(2024, 11, 9, 15, 39, 26, 93),
    );
    expect(parseHexTimestamp('2024-12-09T15:39:26Z')?.getTime()).toBe(Date.UTC(2024, 11, 9, 15, 39, 26));
    expect(parseHexTimestamp('2024-12-09T15:39:26+01:00')?.getTime()).toBe(Date.UTC(2024, 11, 9, 14, 39, 26));
    expect(parseHexTimestamp('yesterday')).toBeNull();
    expect(parseHexTimestamp(null)).toBeNull();
  });

  it('refuses a listing without values and a project without id', () => {
    expect(() => readPage({ data: [] }, 'project')).toThrow(/values/);
    expect(() => mapProject({ title: 'x' })).toThrow(/without an id/);
  });

  it("reads Hex's error reason", () => {
    expect(readHexReason('{"reason":"Invalid token","traceId":"x"}')).toBe('Invalid token');
    expect(readHexReason('<html>')).toBeNull();
  });
});
