/** `page` / `pageSize` of a list (server/README.md#http-contract) as SQL's LIMIT / OFFSET. */
export interface PageRequest {
  page: number;
  pageSize: number;
}

export const pageWindow = (p: PageRequest) => ({ limit: p.pageSize, offset: (p.page - 1) * p.pageSize });
