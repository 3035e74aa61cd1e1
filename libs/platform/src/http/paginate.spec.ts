import { paginate, paginateByOffset, PaginationError } from './paginate.js';

const items = Array.from({ length: 7 }, (_, index) => index);

async function collect<T>(generator: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of generator) result.push(item);
  return result;
}

describe('paginate', () => {
  it('follows cursors until there is none', async () => {
    const pages = new Map<string | undefined, { data: number[]; next?: string }>([
      [undefined, { data: [1, 2], next: 'b' }],
      ['b', { data: [3], next: 'c' }],
      ['c', { data: [] }],
    ]);
    const result = await collect(
      paginate<{ data: number[]; next?: string }, number, string>({
        fetchPage: async (cursor) => pages.get(cursor)!,
        getItems: (page) => page.data,
        getNextCursor: (page) => page.next,
      }),
    );
    expect(result).toEqual([1, 2, 3]);
  });

  it('fails instead of looping when the cursor repeats', async () => {
    const generator = paginate<number[], number, string>({
      fetchPage: async () => [1],
      getItems: (page) => page,
      getNextCursor: () => 'same',
    });
    await expect(collect(generator)).rejects.toThrow(PaginationError);
  });
});

describe('paginateByOffset', () => {
  it('stops at the first short page', async () => {
    const offsets: number[] = [];
    const result = await collect(
      paginateByOffset({
        pageSize: 3,
        fetchPage: async (offset, limit) => {
          offsets.push(offset);
          return items.slice(offset, offset + limit);
        },
        getItems: (page) => page,
      }),
    );
    expect(result).toEqual(items);
    expect(offsets).toEqual([0, 3, 6]);
  });

  it('stops at the total without asking for an empty page', async () => {
    let calls = 0;
    const result = await collect(
      paginateByOffset({
        pageSize: 7,
        fetchPage: async (offset, limit) => {
          calls += 1;
          return { rows: items.slice(offset, offset + limit), total: items.length };
        },
        getItems: (page) => page.rows,
        getTotal: (page) => page.total,
      }),
    );
    expect(result).toEqual(items);
    expect(calls).toBe(1);
  });
});
