// Walking a vendor's paginated list is the "discover" step of every connector (DESIGN §6). These helpers
// keep the loop, the stop conditions and the infinite-loop guard in one place; the client file supplies
// how to fetch one page and where the items and the next cursor are.

export interface PaginateOptions<Page, Item, Cursor> {
  /** Cursor of the first page; undefined asks for the first page. */
  start?: Cursor;
  fetchPage(cursor: Cursor | undefined, pageIndex: number): Promise<Page>;
  getItems(page: Page): readonly Item[];
  /** Cursor of the next page, or undefined / null when this page is the last. */
  getNextCursor(
    page: Page,
    context: { cursor: Cursor | undefined; items: readonly Item[]; pageIndex: number },
  ): Cursor | null | undefined;
  /** Stops with an error past this many pages, so a vendor bug cannot loop forever. Default 10 000. */
  maxPages?: number;
  signal?: AbortSignal;
}

export class PaginationError extends Error {
  override readonly name = 'PaginationError';
}

/** Yields every page, in order. */
export async function* paginatePages<Page, Item, Cursor>(
  options: PaginateOptions<Page, Item, Cursor>,
): AsyncGenerator<Page, void, undefined> {
  const maxPages = options.maxPages ?? 10_000;
  const seen = new Set<string>();
  let cursor = options.start;
  for (let pageIndex = 0; ; pageIndex++) {
    options.signal?.throwIfAborted();
    if (pageIndex >= maxPages) throw new PaginationError(`stopped after ${maxPages} pages (maxPages)`);
    const page = await options.fetchPage(cursor, pageIndex);
    yield page;
    const items = options.getItems(page);
    const next = options.getNextCursor(page, { cursor, items, pageIndex });
    if (next === undefined || next === null) return;
    // A cursor that comes back means the vendor is serving the same page again.
    const key = JSON.stringify(next);
    if (seen.has(key) || key === JSON.stringify(cursor)) {
      throw new PaginationError(`the next-page cursor repeated a previous one after page ${pageIndex + 1}`);
    }
    seen.add(key);
    cursor = next;
  }
}

/** Yields every item of every page, in order. */
export async function* paginate<Page, Item, Cursor>(
  options: PaginateOptions<Page, Item, Cursor>,
): AsyncGenerator<Item, void, undefined> {
  for await (const page of paginatePages(options)) {
    yield* options.getItems(page);
  }
}

export interface OffsetPaginateOptions<Page, Item> {
  pageSize: number;
  /** First offset. Default 0. */
  start?: number;
  fetchPage(offset: number, limit: number): Promise<Page>;
  getItems(page: Page): readonly Item[];
  /** Total count, when the vendor reports it; without it the walk stops at the first short page. */
  getTotal?(page: Page): number | undefined;
  maxPages?: number;
  signal?: AbortSignal;
}

/** `offset`/`limit` pagination: stops at a short or empty page, or when `total` is reached. */
export function paginateByOffset<Page, Item>(
  options: OffsetPaginateOptions<Page, Item>,
): AsyncGenerator<Item, void, undefined> {
  if (!(options.pageSize > 0)) throw new RangeError(`pageSize must be positive, got ${options.pageSize}`);
  return paginate<Page, Item, number>({
    start: options.start ?? 0,
    maxPages: options.maxPages,
    signal: options.signal,
    fetchPage: (offset) => options.fetchPage(offset ?? 0, options.pageSize),
    getItems: options.getItems,
    getNextCursor: (page, { cursor, items }) => {
      const next = (cursor ?? 0) + items.length;
      const total = options.getTotal?.(page);
      if (items.length === 0) return undefined;
      if (total !== undefined) return next < total ? next : undefined;
      return items.length < options.pageSize ? undefined : next;
    },
  });
}
