/**
 * Calling the CRM API as the demo employees: one logged-in Browser per userid, plus `post` /
 * `patch` helpers that fail the test on an unexpected status and return the parsed body.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import type { ProductView } from '@shared/products';
import { sheetjs } from '../../server/modules/imports/workbook';
import { bodyOf } from './http';
import type { TestServer } from './server';
import { loggedIn, type Browser } from './session';

export interface CrmClient {
  as(userid: string): Promise<Browser>;
  get<T>(userid: string, path: string): Promise<T>;
  send<T>(userid: string, method: 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, expected?: number): Promise<T>;
  userId(userid: string): Promise<number>;
}

export function crmClient(server: TestServer): CrmClient {
  const browsers = new Map<string, Promise<Browser>>();
  const ids = new Map<string, number>();
  const as = (userid: string) => {
    if (!browsers.has(userid)) browsers.set(userid, loggedIn(server, userid));
    return browsers.get(userid)!;
  };
  return {
    as,
    async get<T>(userid: string, path: string) {
      const res = await (await as(userid)).fetch(path);
      if (res.status !== 200) throw new Error(`GET ${path} as ${userid}: ${res.status} ${await res.text()}`);
      return bodyOf<T>(res);
    },
    async send<T>(userid: string, method: 'POST' | 'PATCH' | 'PUT', path: string, body: unknown, expected = method === 'POST' ? 201 : 200) {
      const res = await (await as(userid)).json(path, method, body);
      if (res.status !== expected) throw new Error(`${method} ${path} as ${userid}: ${res.status} ${await res.text()}`);
      return bodyOf<T>(res);
    },
    async userId(userid: string) {
      if (!ids.has(userid)) {
        const [row] = await server.db.sequelize.query<{ id: number }>('SELECT id FROM users WHERE wecom_userid = ?', {
          replacements: [userid],
          type: QueryTypes.SELECT,
        });
        ids.set(userid, Number(row!.id));
      }
      return ids.get(userid)!;
    },
  };
}

/** A valid C5 risk assessment: a customer with it may be sold any product (suitability, shared/suitability.ts). */
export const ASSESSED_C5 = { riskLevel: 'C5', riskAssessedOn: '2026-01-01', riskAssessmentExpiresOn: '2035-12-31' } as const;

/**
 * A customer of rep-east-1 assessed C5 (`customer`: its name and phone), and a public fund
 * (`fund`: code, name, risk level) the admin puts on sale for it to buy.
 */
export async function buyerAndFund(
  api: CrmClient,
  customer: { name: string; phone: string },
  fund: { code: string; name: string; riskLevel: string },
): Promise<CustomerView> {
  const buyer = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', ...customer, ...ASSESSED_C5 });
  await api.send('admin', 'POST', '/api/products', { ...fund, category: 'public_fund' });
  return buyer;
}

/**
 * New customers for a test file's tests, each its own: `name` numbered (赎回客户1, 赎回客户2…) and
 * a phone of its own (`phone`, seven digits, then the number in four), created by `userid` with
 * `fields` (ASSESSED_C5, a risk profile…) and those of the call.
 */
export function customerMaker(api: CrmClient, options: { name: string; phone: string; userid?: string; fields?: Record<string, unknown> }) {
  const { name, phone, userid = 'rep-east-1', fields: always = {} } = options;
  let seq = 0;
  return (fields: Record<string, unknown> = {}, by = userid) => {
    seq++;
    return api.send<CustomerView>(by, 'POST', '/api/customers', {
      type: 'individual',
      name: `${name}${seq}`,
      phone: `${phone}${String(seq).padStart(4, '0')}`,
      ...always,
      ...fields,
    });
  };
}

/** A row of an import's sheet. */
export type SheetRow = (string | number | null)[];

/** Uploads `rows` as an .xlsx (`<kind>.xlsx`) to /api/imports as `userid`, the way the H5 does: the answer as it came. */
export async function uploadImport(api: CrmClient, userid: string, kind: string, rows: SheetRow[], query = 'mode=create&dryRun=false'): Promise<Response> {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(sheetjs().build([{ name: 'Sheet1', data: rows, options: {} }]))]), `${kind}.xlsx`);
  return (await api.as(userid)).fetch(`/api/imports?kind=${kind}&${query}`, { method: 'POST', body: form });
}

/** The import job once it has succeeded or failed (asked every 25 ms, for 10 s at the most). */
export async function importFinished(api: CrmClient, userid: string, id: number): Promise<ImportJobView> {
  for (let i = 0; i < 400; i++) {
    const job = await api.get<ImportJobView>(userid, `/api/imports/${id}`);
    if (job.status === 'succeeded' || job.status === 'failed') return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`import ${id} did not finish`);
}

/** The import job a request started (an upload, a commit: 202), once it has finished; any other answer fails the test. */
export async function finishedJob(api: CrmClient, userid: string, started: Response | Promise<Response>): Promise<ImportJobView> {
  const res = await started;
  if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
  return importFinished(api, userid, ((await res.json()) as ImportJobView).id);
}

/** A product the admin creates, with its NAVs when given (date → unit NAV): a fund of one test's own. */
export async function productWithNavs<T extends { id: number }>(api: CrmClient, body: Record<string, unknown>, navs: Record<string, number> = {}): Promise<T> {
  const product = await api.send<T>('admin', 'POST', '/api/products', body);
  const items = Object.entries(navs).map(([date, nav]) => ({ date, nav }));
  if (items.length) await api.send('admin', 'PUT', `/api/products/${product.id}/navs`, { items }, 200);
  return product;
}

/** New funds (a product of one test's own) with the NAVs given (date → unit NAV): `code` and `name` numbered, as the admin creates them. */
export function fundMaker(api: CrmClient, { code, name, riskLevel }: { code: string; name: string; riskLevel: string }) {
  let seq = 0;
  return (navs: Record<string, number> = {}) => {
    seq++;
    return productWithNavs<ProductView>(api, { code: `${code}${seq}`, name: `${name}${seq}`, category: 'public_fund', riskLevel }, navs);
  };
}

/** A seller who may neither grant a suitability exception (`sales.override_suitability`) nor ask for one (`sales.request_exception`). */
const SELLER_WITHOUT_EXCEPTIONS = {
  code: 'seller_without_exceptions',
  name: '无适当性例外权限',
  dataScope: 'self',
  // suitability.correct_level: these tests type the customer's level by hand (test/helpers/risk-levels.ts).
  permissions: ['customer.read', 'customer.write', 'customer.risk', 'suitability.correct_level', 'sales.read', 'sales.write'],
} as const;

/** Runs `body` while `userid` holds only SELLER_WITHOUT_EXCEPTIONS (created on first use), then gives them back 销售. */
export async function asSellerWithoutExceptions<T>(api: CrmClient, userid: string, body: () => Promise<T>): Promise<T> {
  const { items } = await api.get<{ items: { code: string }[] }>('admin', '/api/admin/roles');
  if (!items.some((r) => r.code === SELLER_WITHOUT_EXCEPTIONS.code)) await api.send('admin', 'POST', '/api/admin/roles', SELLER_WITHOUT_EXCEPTIONS);
  const roles = `/api/admin/users/${await api.userId(userid)}/roles`;
  await api.send('admin', 'PUT', roles, { roles: [SELLER_WITHOUT_EXCEPTIONS.code] }, 200);
  try {
    return await body();
  } finally {
    await api.send('admin', 'PUT', roles, { roles: ['sales'] }, 200);
  }
}
