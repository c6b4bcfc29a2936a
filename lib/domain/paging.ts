/** MOR's `from` / `max_results` paging: `from` is the 1-based index of the first record; no `max_results` = all. */
export interface Paging {
  offset: number;
  limit?: number;
}

const MAX_PAGE = 100_000;

/** Reads `from` and `max_results` leniently, as MOR does: non-numbers are ignored. */
export function pagingOf(params: { from?: string; max_results?: string }): Paging {
  const from = /^\d+$/.test(params.from ?? '') ? Math.min(Number(params.from), MAX_PAGE * 10) : 1;
  const max = /^\d+$/.test(params.max_results ?? '') ? Math.min(Number(params.max_results), MAX_PAGE) : undefined;
  return { offset: Math.max(from - 1, 0), ...(max !== undefined ? { limit: max } : {}) };
}

export function applyPaging<T>(items: readonly T[], paging: Paging): T[] {
  return items.slice(paging.offset, paging.limit === undefined ? undefined : paging.offset + paging.limit);
}

/** How many items a keyed read must fetch to serve the page (undefined = everything). */
export const readLimitFor = (paging: Paging) => (paging.limit === undefined ? undefined : paging.offset + paging.limit);
