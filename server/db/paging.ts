import type { PageOf } from '@shared/http';

/** `page` / `pageSize` of a list (server/README.md#http-contract) as SQL's LIMIT / OFFSET. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

export const pageWindow = (p: PageRequest) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });

/** The page a list answers: its items, the total over all pages, and the page asked for. */
export const pageOf = <T>(items: T[], total: number, p: PageRequest): PageOf<T> => ({ items, total, page: p.page, pageSize: p.pageSize });
