/**
 * Chart options for the phone: horizontal bars for rankings and breakdowns (values at the bar
 * ends, short names on the axis, the full name in the tap tooltip), monthly columns and NAV lines. Only
 * types come from ECharts here — the library itself loads with the chart.
 */
import type { BarSeriesOption, LineSeriesOption } from 'echarts/charts';
import type { GridComponentOption, TooltipComponentOption } from 'echarts/components';
import type { ComposeOption } from 'echarts/core';

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | GridComponentOption | TooltipComponentOption>;

export interface ChartItem {
  label: string;
  value: number;
  /** The value as shown on the bar; the number itself when absent. */
  text?: string;
  /** The value in words for the tooltip and the picked line (“47 位客户”); `text` when absent. */
  detail?: string;
}

const AXIS_TEXT = '#646566';
const LINE = '#ebedf0';
const FONT = 11;

/** Short amounts for axes and bar ends: 1.2亿, 35.6万, 8,000. */
export function compactYuan(amount: number): string {
  if (Math.abs(amount) >= 1e8) return `${trim(amount / 1e8)}亿`;
  if (Math.abs(amount) >= 1e4) return `${trim(amount / 1e4)}万`;
  return amount.toLocaleString('zh-CN', { maximumFractionDigits: 0 });
}
const trim = (n: number) => n.toLocaleString('zh-CN', { maximumFractionDigits: n >= 100 ? 0 : 1 });

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const tooltip = (lines: (index: number) => string[]): TooltipComponentOption => ({
  trigger: 'item',
  triggerOn: 'click',
  confine: true,
  enterable: false,
  textStyle: { fontSize: 12 },
  formatter: (params) => {
    const index = (Array.isArray(params) ? params[0] : params)?.dataIndex ?? 0;
    return lines(index).map(escape).join('<br/>');
  },
});

/** One row per item, largest first as given; `hint`: a line under the value in the tooltip (what a second tap does). */
export function horizontalBars(items: ChartItem[], color: string, hint?: (index: number) => string | undefined): ChartOption {
  const rows = [...items].reverse(); // ECharts draws the first category at the bottom
  const last = items.length - 1;
  return {
    animation: false,
    grid: { left: 4, right: 56, top: 4, bottom: 4, containLabel: true },
    xAxis: { type: 'value', show: false, max: (v) => Math.max(1, v.max) },
    yAxis: {
      type: 'category',
      // `index|name`: unique categories (a tapped label says which row), drawn as the short name.
      data: rows.map((r, i) => `${i}|${r.label}`),
      triggerEvent: true,
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      // The whole name, wrapped within LABEL_WIDTH (barsHeight leaves each row room for its lines).
      axisLabel: {
        color: AXIS_TEXT,
        fontSize: 12,
        lineHeight: LABEL_LINE,
        margin: 6,
        width: LABEL_WIDTH,
        overflow: 'breakAll',
        formatter: (v: string) => v.slice(v.indexOf('|') + 1),
      },
    },
    tooltip: tooltip((i) => {
      const item = items[last - i]!;
      const extra = hint?.(last - i);
      return [item.label, item.detail ?? item.text ?? String(item.value), ...(extra ? [extra] : [])];
    }),
    series: [
      {
        type: 'bar',
        barMaxWidth: 14,
        barMinHeight: 2,
        data: rows.map((r) => r.value),
        itemStyle: { color, borderRadius: [0, 4, 4, 0] },
        label: {
          show: true,
          position: 'right',
          fontSize: FONT,
          color: '#323233',
          formatter: (p) => rows[p.dataIndex]!.text ?? String(rows[p.dataIndex]!.value),
        },
      },
    ],
  };
}

/** A bar's name wraps within this width (px), in lines this tall. */
const LABEL_WIDTH = 96;
const LABEL_LINE = 14;
/** The lines a name takes at 12 px within LABEL_WIDTH: 汉字 12 px, other characters about 7. */
export const labelLines = (name: string) => Math.max(1, Math.ceil([...name].reduce((w, c) => w + (c.codePointAt(0)! < 0x100 ? 7 : 12), 0) / LABEL_WIDTH));

/** Height that gives each bar row about 30 px, more when a name takes more lines (every row as tall as the tallest). */
export const barsHeight = (items: ChartItem[]) => {
  const lines = Math.max(1, ...items.map((i) => labelLines(i.label)));
  return Math.max(60, items.length * Math.max(30, lines * LABEL_LINE + 10) + 8);
};

/** Monthly columns (`YYYY-MM`), the months inside the period in full colour, amounts on top. */
export function monthColumns(months: { month: string; amount: number }[], inPeriod: (month: string) => boolean, color: string): ChartOption {
  return {
    animation: false,
    // Values stand upright above their columns: twelve side by side leave no room for them level.
    grid: { left: 4, right: 4, top: 44, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      // Month numbers (1 … 12): with 月 twelve labels collide on a 320 px phone; the tooltip says 2026年10月.
      data: months.map((m) => String(Number(m.month.slice(5)))),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: { color: AXIS_TEXT, fontSize: 10, interval: 0, margin: 6 },
    },
    yAxis: {
      type: 'value',
      splitNumber: 3,
      axisLabel: { color: AXIS_TEXT, fontSize: 10, formatter: (v: number) => compactYuan(v) },
      splitLine: { lineStyle: { color: LINE } },
    },
    tooltip: tooltip((i) => {
      const m = months[i]!;
      return [`${m.month.slice(0, 4)}年${Number(m.month.slice(5))}月`, `直销 ${compactYuan(m.amount)}元`];
    }),
    series: [
      {
        type: 'bar',
        barMaxWidth: 16,
        data: months.map((m) => ({ value: m.amount, itemStyle: { color, opacity: inPeriod(m.month) ? 1 : 0.35 } })),
        itemStyle: { borderRadius: [3, 3, 0, 0] },
        label: {
          show: true,
          position: 'top',
          rotate: 90,
          align: 'left',
          verticalAlign: 'middle',
          distance: 4,
          fontSize: 10,
          color: '#646566',
          formatter: (p) => (Number(p.value) > 0 ? compactYuan(Number(p.value)) : ''),
        },
      },
    ],
  };
}

/** A day of a NAV line. */
export interface NavPoint {
  date: string;
  nav: number;
  accumulatedNav: number | null;
}

/**
 * A product's NAV over days, oldest on the left: `line` says which — 单位净值 or 累计净值 (the two
 * differ by the dividends paid, so on one axis each would flatten the other). The axis fits the
 * values (a NAV moves in its third decimal); a tap shows the day with both values.
 */
export function navLine(points: NavPoint[], line: 'nav' | 'accumulatedNav', color: string): ChartOption {
  return {
    animation: false,
    grid: { left: 4, right: 12, top: 12, bottom: 4, containLabel: true },
    xAxis: {
      type: 'category',
      boundaryGap: false,
      data: points.map((p) => p.date),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: LINE } },
      axisLabel: { color: AXIS_TEXT, fontSize: 10, hideOverlap: true, formatter: (v: string) => `${Number(v.slice(5, 7))}/${Number(v.slice(8))}` },
    },
    yAxis: {
      type: 'value',
      scale: true,
      splitNumber: 3,
      axisLabel: { color: AXIS_TEXT, fontSize: 10, formatter: (v: number) => String(Number(v.toFixed(4))) },
      splitLine: { lineStyle: { color: LINE } },
    },
    tooltip: {
      trigger: 'axis',
      confine: true,
      textStyle: { fontSize: 12 },
      formatter: (params) => {
        const index = (Array.isArray(params) ? params[0] : params)?.dataIndex ?? 0;
        const p = points[index]!;
        return [p.date, `单位净值 ${p.nav.toFixed(4)}`, ...(p.accumulatedNav !== null ? [`累计净值 ${p.accumulatedNav.toFixed(4)}`] : [])]
          .map(escape)
          .join('<br/>');
      },
    },
    series: [
      {
        type: 'line',
        name: line === 'nav' ? '单位净值' : '累计净值',
        data: points.map((p) => p[line]),
        showSymbol: points.length < 2,
        symbolSize: 5,
        connectNulls: true,
        lineStyle: { width: 1.5, color },
        itemStyle: { color },
        areaStyle: { color, opacity: 0.06 },
      },
    ],
  };
}
