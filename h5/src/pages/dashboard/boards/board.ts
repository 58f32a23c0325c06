/** What the dashboard's boards share: the breakdown charts under a board, the comparison line, the drill-down links. */
import type { AmountBy, CountBy } from '@shared/dashboard';
import { ref, watch, type Ref } from 'vue';
import type { RouteLocationRaw } from 'vue-router';
import type { DashboardFilter } from '@/api/dashboard';
import { compactYuan, type ChartItem } from '@/components/charts/options';
import { moneyText } from '@/components/business/money';
import { useLoad } from '@/components/kit/useLoad';

/** A board that loads on its own (the other boards never wait for it), again when the period or the department changes. */
export function useBoard<T>(props: { period: string; departmentId: number }, fetch: (filter: DashboardFilter) => Promise<T>) {
  const board = ref(null) as Ref<T | null>;
  const { error, load } = useLoad(async () => {
    board.value = await fetch({ period: props.period, departmentId: props.departmentId || undefined });
  });
  watch(
    () => [props.period, props.departmentId],
    () => void load(),
    { immediate: true },
  );
  return { board, error, load };
}

/** One bar chart under a board, and where its bars lead. */
export interface Breakdown {
  key: string;
  title: string;
  color: string;
  items: ChartItem[];
  /** Where a bar leads, or null for a bar that leads nowhere (未填写). */
  target: (index: number) => RouteLocationRaw | null;
  /** "查看客户" under the chart. */
  action: string;
  testid: string;
  empty?: string;
}

export const countItems = (rows: CountBy[], unit: string): ChartItem[] =>
  rows.map((r) => ({ label: r.label, value: r.count, text: `${r.count}`, detail: `${r.count} ${unit}` }));
/** Bars of amounts: the bar end short as the month chart's (「490万」, so it fits beside a long bar), the full amount on a tap. */
export const amountItems = (rows: AmountBy[]): ChartItem[] =>
  rows.map((r) => ({ label: r.name, value: r.amount, text: compactYuan(r.amount), detail: `${moneyText(r.amount)}（${r.count} 笔）` }));

/** The customer list filtered by `query`, within the dashboard's department (0: all). */
export const customersWhere = (departmentId: number, query: Record<string, string>): RouteLocationRaw => ({
  path: '/customers',
  query: { ...query, ...(departmentId ? { departmentId: String(departmentId) } : {}) },
});

export interface Delta {
  text: string;
  /** The Chinese market's colours, as everywhere in the app: red when it went up, green when it went down, grey when flat. */
  tone: 'up' | 'down' | '';
}

/** "新增较上季度 ↑12（25%）", "与上季度持平"; null before the previous period has loaded. */
export function delta(compareText: string, name: string, current: number, previous: number | undefined, kind: 'count' | 'amount'): Delta | null {
  if (previous === undefined) return null;
  const diff = current - previous;
  if (diff === 0) return { text: `${name}与${compareText}持平`, tone: '' };
  const arrow = diff > 0 ? '↑' : '↓';
  const size = kind === 'amount' ? moneyText(Math.abs(diff)).replace(' ', '') : String(Math.abs(diff));
  const percent = previous > 0 ? `（${Math.round((Math.abs(diff) / previous) * 1000) / 10}%）` : '';
  return { text: `${name}较${compareText} ${arrow}${size}${percent}`, tone: diff > 0 ? 'up' : 'down' };
}
