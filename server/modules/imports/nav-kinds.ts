/**
 * The NAV import (kind `navs`): the daily file a fund company or a consignment partner sends —
 * 产品代码, 日期, 单位净值, 累计净值 — under the import's rules (template, dry run, an error per row
 * and column, one transaction per batch). NAVs are reference data, nobody's records: a row for a
 * day on file with the same values is skipped, with other values it corrects the day (audited with
 * before and after, like a correction in the H5), in either mode. Writing needs `product.manage`.
 * Every row is written through the products module's one NAV write path (`writeNavs`).
 */
import { Op } from 'sequelize';
import { z } from 'zod';
import { navEntrySchema, type NavEntry } from '@shared/products';
import { text } from '@shared/fields';
import { dateOnlyOrNull } from '../../db/lookup';
import { productModels } from '../products/models';
import { writeNavs } from '../products/navs';
import type { KindSpec, OnFile, Resolved } from './kinds';

const key = (productId: unknown, date: unknown) => `nav:${String(productId)}|${String(date)}`;

/** What a resolved row carries: the API's entry plus the product it is for. */
type NavRow = NavEntry & { productId: number; productCode: string };
type NavOnFile = OnFile & { product_id: number; nav_date: string; nav: number; accumulated_nav: number | null };

/** `1,234.5` → 1234.5; text that is no number stays as it is (the row's error says so). */
function numberOf(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const cleaned = value.normalize('NFKC').replace(/[,\s]/g, '');
  return /^-?\d+(\.\d+)?$/.test(cleaned) ? Number(cleaned) : value;
}

const navs: KindSpec = {
  kind: 'navs',
  noun: '产品净值',
  writePermission: 'product.manage', // POST / PUT /api/products/:id/navs
  reference: true,
  columns: [
    {
      key: 'product',
      header: '产品代码',
      aliases: ['基金代码', '代码', '产品编码', 'product', 'product code', 'fund code'],
      required: true,
      type: 'text',
      fold: true,
      sample: 'PF0001',
    },
    { key: 'date', header: '日期', aliases: ['净值日期', '估值日期', '交易日期', 'date', 'nav date'], required: true, type: 'date', sample: '2026-03-02' },
    { key: 'nav', header: '单位净值', aliases: ['净值', '份额净值', 'nav', 'unit nav'], required: true, type: 'text', sample: '1.0235' },
    {
      key: 'accumulatedNav',
      header: '累计净值',
      aliases: ['累计单位净值', '累计份额净值', 'accumulated nav', 'acc nav'],
      type: 'text',
      sample: '1.2235',
    },
  ],
  schema: z.object({
    product: text(32).min(1, '请填写产品代码'),
    date: z.string({ error: '请填写日期' }),
    nav: z.unknown().refine((v) => v !== undefined, '请填写单位净值'),
    accumulatedNav: z.unknown().optional(),
  }) as unknown as z.ZodType<Record<string, unknown>>,
  defaults: {},
  phoneFields: [],
  async resolve(sequelize, _caller, rows) {
    const codes = [...new Set(rows.map((r) => String(r.input.product)))];
    const products = new Map(
      (await productModels(sequelize).Product.findAll({ where: { code: { [Op.in]: codes } } })).map((p) => [p.get().code, p.get().id] as const),
    );
    const firstRowOf = new Map<string, number>();
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const code = String(r.input.product);
      const productId = products.get(code);
      const nav = numberOf(r.input.nav);
      const accumulatedNav = numberOf(r.input.accumulatedNav);
      const problems = new Map<string, string>();
      if (productId === undefined) problems.set('product', `找不到产品代码「${code}」：请先在产品库中新建该产品`);
      if (typeof nav !== 'number') problems.set('nav', '单位净值应为数字，如 1.0235');
      if (accumulatedNav !== undefined && typeof accumulatedNav !== 'number') problems.set('accumulatedNav', '累计净值应为数字，如 1.2235');
      const parsed = navEntrySchema.safeParse({ date: r.input.date, nav, ...(accumulatedNav !== undefined ? { accumulatedNav } : {}) });
      for (const issue of parsed.error?.issues ?? []) {
        const field = String(issue.path[0] ?? 'nav');
        if (!problems.has(field)) problems.set(field, issue.message);
      }
      // One value per product and day: a later row for the day is an error, the first row stands.
      const day = key(productId, r.input.date);
      const first = firstRowOf.get(day);
      if (first !== undefined) problems.set('date', `与第 ${first} 行是同一产品同一天的净值，请只保留一行`);
      if (problems.size || !parsed.success || productId === undefined) {
        out.set(r.row, { errors: [...problems].map(([field, message]) => r.problem(field, message)) });
        continue;
      }
      firstRowOf.set(day, r.row);
      out.set(r.row, { input: { ...parsed.data, productId, productCode: code } });
    }
    return out;
  },
  identities: (i) => [key(i.productId, i.date)],
  describe: () => '同一产品同一天',
  async onFile(sequelize, keys) {
    const wanted = keys.filter((k) => k.startsWith('nav:')).map((k) => k.slice(4).split('|'));
    if (!wanted.length) return new Map();
    const rows = await productModels(sequelize).ProductNav.findAll({
      where: { product_id: { [Op.in]: [...new Set(wanted.map(([id]) => Number(id)))] }, nav_date: { [Op.in]: [...new Set(wanted.map(([, d]) => d!))] } },
    });
    return new Map(
      rows.map((r) => {
        const n = r.get();
        const record: NavOnFile = {
          id: n.id,
          version: 1,
          owner_user_id: 0,
          department_id: 0,
          product_id: n.product_id,
          nav_date: dateOnlyOrNull(n.nav_date)!,
          nav: Number(n.nav),
          accumulated_nav: n.accumulated_nav === null ? null : Number(n.accumulated_nav),
        };
        return [key(record.product_id, record.nav_date), record];
      }),
    );
  },
  // What the file says about the day, when it says something else than what is on file (a blank 累计净值 keeps it).
  changes(record, input) {
    const onFile = record as NavOnFile;
    const row = input as unknown as NavRow;
    const accumulatedChanges = row.accumulatedNav !== undefined && row.accumulatedNav !== onFile.accumulated_nav;
    if (row.nav === onFile.nav && !accumulatedChanges) return {};
    return { nav: row.nav, ...(row.accumulatedNav !== undefined ? { accumulated_nav: row.accumulatedNav } : {}) };
  },
  async update(sequelize, record, changes, by, transaction) {
    const onFile = record as NavOnFile;
    const entry: NavEntry = { date: onFile.nav_date, nav: changes.nav as number };
    if ('accumulated_nav' in changes) entry.accumulatedNav = changes.accumulated_nav as number | null;
    await writeNavs(sequelize, by, onFile.product_id, [entry], transaction);
    return true;
  },
  async insert(sequelize, rows, _by, transaction, actor) {
    // Per product, in id order (each write locks its product's row).
    const byProduct = new Map<number, NavEntry[]>();
    for (const { input } of rows) {
      const { productId, productCode: _code, ...entry } = input as unknown as NavRow;
      byProduct.set(productId, [...(byProduct.get(productId) ?? []), entry]);
    }
    for (const [productId, entries] of [...byProduct].sort(([a], [b]) => a - b)) await writeNavs(sequelize, actor, productId, entries, transaction);
  },
};

export const NAV_KINDS = { navs };
