import { deriveDataset, type Sighting } from './dataset-derivation.js';

const at = (day: number) => new Date(Date.UTC(2026, 0, day));
const sighting = (overrides: Partial<Sighting>): Sighting => ({
  source: 'warehouse',
  kind: 'table',
  description: null,
  firstSeenAt: at(1),
  lastSeenAt: at(2),
  removedAt: null,
  ...overrides,
});

describe('deriveDataset', () => {
  it('prefers the dbt description over a warehouse comment and says where it came from', () => {
    const derived = deriveDataset(
      [
        sighting({ source: 'warehouse', description: 'raw comment' }),
        sighting({ source: 'dbt', kind: 'unknown', description: 'Curated' }),
      ],
      'table',
    );
    expect(derived).toMatchObject({
      description: 'Curated',
      descriptionSource: 'dbt',
      sources: ['dbt', 'warehouse'],
    });
  });

  it('falls back to the warehouse comment when dbt has none', () => {
    const derived = deriveDataset(
      [
        sighting({ source: 'dbt', description: '  ' }),
        sighting({ source: 'warehouse', description: 'comment' }),
      ],
      'table',
    );
    expect(derived).toMatchObject({ description: 'comment', descriptionSource: 'warehouse' });
  });

  it('takes the kind from the warehouse, which knows the physical relation', () => {
    const derived = deriveDataset(
      [sighting({ source: 'dbt', kind: 'table' }), sighting({ source: 'warehouse', kind: 'view' })],
      'unknown',
    );
    expect(derived?.kind).toBe('view');
  });

  it('spans first and last seen over every source', () => {
    const derived = deriveDataset(
      [
        sighting({ firstSeenAt: at(3), lastSeenAt: at(9) }),
        sighting({ source: 'dbt', firstSeenAt: at(1), lastSeenAt: at(4) }),
      ],
      'table',
    );
    expect(derived?.firstSeenAt).toEqual(at(1));
    expect(derived?.lastSeenAt).toEqual(at(9));
  });

  it('marks the dataset removed only when every source removed it', () => {
    const partly = deriveDataset([sighting({ removedAt: at(5) }), sighting({ source: 'dbt' })], 'table');
    expect(partly).toMatchObject({ removedAt: null, sources: ['dbt'] });
    const fully = deriveDataset(
      [sighting({ removedAt: at(5) }), sighting({ source: 'dbt', removedAt: at(6) })],
      'table',
    );
    expect(fully?.removedAt).toEqual(at(6));
  });
});
