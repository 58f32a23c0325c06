/** The customer list's vocabulary that the H5 needs without zod (sorts and their names). */

/** The customer list's orders, as its sort menu names them; customers without the date or assets come last. */
export const CUSTOMER_SORT_LABELS = {
  updated_desc: '最近更新',
  aum_desc: '资产规模从高到低',
  last_follow_up_desc: '最近跟进',
  last_follow_up_asc: '最久未跟进',
  next_follow_up_asc: '下次跟进最近',
  created_desc: '最新创建',
  name_asc: '名称',
} as const;
export type CustomerSort = keyof typeof CUSTOMER_SORT_LABELS;
export const CUSTOMER_SORTS = Object.keys(CUSTOMER_SORT_LABELS) as [CustomerSort, ...CustomerSort[]];
