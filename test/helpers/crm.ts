/**
 * Calling the CRM API as the demo employees: one logged-in Browser per userid, plus `post` /
 * `patch` helpers that fail the test on an unexpected status and return the parsed body.
 */
import { QueryTypes } from 'sequelize';
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

/** A product the admin creates, with its NAVs when given (date → unit NAV): a fund of one test's own. */
export async function productWithNavs<T extends { id: number }>(api: CrmClient, body: Record<string, unknown>, navs: Record<string, number> = {}): Promise<T> {
  const product = await api.send<T>('admin', 'POST', '/api/products', body);
  const items = Object.entries(navs).map(([date, nav]) => ({ date, nav }));
  if (items.length) await api.send('admin', 'PUT', `/api/products/${product.id}/navs`, { items }, 200);
  return product;
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
