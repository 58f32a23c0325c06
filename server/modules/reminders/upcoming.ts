/**
 * Dates a wealth team must not miss, besides follow-ups: risk assessments that expire within 30
 * days (a customer whose assessment lapses can buy nothing until reassessed) and fixed-term
 * holdings that mature within 14 days (the money comes back: a conversation to have). The
 * workbench lists them for the caller's scope; the daily digest announces each one once.
 */
// Raw SQL on other modules' tables, on purpose: the upcoming list is one scoped read across customers,
// holdings and products (risk assessments and maturities due).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { UpcomingDates } from '@shared/notifications';
import { fromHundredths } from '@shared/money';
import { addDays, businessDate } from '@shared/time';
import { dateOnlyOrNull } from '../../db/lookup';
import { customerScopeSql, type Access } from '../roles/access';
import { marketValueFenSql } from '../products/service';

export const ASSESSMENT_NOTICE_DAYS = 30;
export const MATURITY_NOTICE_DAYS = 14;

export interface ExpiringAssessment {
  customerId: number;
  name: string;
  owner: number;
  expiresOn: string;
}

export interface MaturingHolding {
  holdingId: number;
  customerId: number;
  customerName: string;
  owner: number;
  productName: string;
  maturesOn: string;
  amountFen: number;
}

/** Everything due from `today` on, within the notice periods; `scope` limits it to a caller's customers. */
export async function upcomingDates(
  sequelize: Sequelize,
  today: string,
  scope: { sql: string; params: unknown[] } = { sql: '1 = 1', params: [] },
  transaction?: Transaction,
): Promise<{ assessments: ExpiringAssessment[]; holdings: MaturingHolding[] }> {
  const [assessments, holdings] = await Promise.all([
    sequelize.query<{ id: number; name: string; owner: number; expires: string | Date }>(
      `SELECT c.id, c.name, c.owner_user_id AS owner, c.risk_assessment_expires_on AS expires FROM customers c
        WHERE c.deleted_at IS NULL AND c.risk_assessment_expires_on >= ? AND c.risk_assessment_expires_on <= ? AND ${scope.sql}
        ORDER BY c.risk_assessment_expires_on, c.id`,
      { replacements: [today, addDays(today, ASSESSMENT_NOTICE_DAYS), ...scope.params], type: QueryTypes.SELECT, transaction },
    ),
    sequelize.query<{ id: number; customer_id: number; customer: string; owner: number; product: string; matures: string | Date; amount_fen: number }>(
      `SELECT h.id, h.customer_id, c.name AS customer, c.owner_user_id AS owner, p.name AS product, h.matures_on AS matures, ${marketValueFenSql('h')} AS amount_fen
         FROM holdings h JOIN customers c ON c.id = h.customer_id JOIN products p ON p.id = h.product_id
        WHERE h.status = 'holding' AND c.deleted_at IS NULL AND h.matures_on >= ? AND h.matures_on <= ? AND ${scope.sql}
        ORDER BY h.matures_on, h.id`,
      { replacements: [today, today, addDays(today, MATURITY_NOTICE_DAYS), ...scope.params], type: QueryTypes.SELECT, transaction },
    ),
  ]);
  return {
    assessments: assessments.map((a) => ({ customerId: Number(a.id), name: a.name, owner: Number(a.owner), expiresOn: dateOnlyOrNull(a.expires)! })),
    holdings: holdings.map((h) => ({
      holdingId: Number(h.id),
      customerId: Number(h.customer_id),
      customerName: h.customer,
      owner: Number(h.owner),
      productName: h.product,
      maturesOn: dateOnlyOrNull(h.matures)!,
      amountFen: Number(h.amount_fen),
    })),
  };
}

/** For the workbench: the caller's scope. */
export async function upcomingFor(sequelize: Sequelize, access: Access, now = new Date()): Promise<UpcomingDates> {
  const { assessments, holdings } = await upcomingDates(sequelize, businessDate(now), customerScopeSql(access));
  return {
    expiringAssessments: assessments.map(({ customerId, name, expiresOn }) => ({ customerId, name, expiresOn })),
    maturingHoldings: holdings.map((h) => ({
      customerId: h.customerId,
      customerName: h.customerName,
      productName: h.productName,
      maturesOn: h.maturesOn,
      amount: fromHundredths(h.amountFen),
    })),
  };
}
