/**
 * 数据质量 on 运营's home (server/README.md#dashboards-and-the-workbench-pages): counts of live customers
 * in the caller's scope that lack a phone, a valid risk assessment, a WeCom link, or a recent follow-up.
 */
// Raw SQL on other modules' tables, on purpose: six counts over customers (and the matching module's
// links) in one statement, inside the caller's scope.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { DataQuality } from '@shared/dashboard';
import { DEFAULT_ASSESSMENT_VALID_DAYS } from '@shared/risk-profile';
import { addDays, businessDate } from '@shared/time';
import { scopeSql, type Access } from '../roles/access';

const QUIET_DAYS = 30;

export async function dataQuality(sequelize: Sequelize, access: Access, now = new Date()): Promise<DataQuality> {
  const today = businessDate(now);
  const scope = scopeSql(access, { owner: 'c.owner_user_id', department: 'c.department_id' });
  const ordinary = "c.investor_class <> 'professional'";
  const [row] = await sequelize.query<Record<keyof DataQuality, number | string | null>>(
    `SELECT COUNT(*) AS customers,
            SUM(CASE WHEN c.phone IS NULL OR c.phone = '' THEN 1 ELSE 0 END) AS missingPhone,
            SUM(CASE WHEN ${ordinary} AND (c.risk_level IS NULL OR c.risk_assessed_on IS NULL) THEN 1 ELSE 0 END) AS missingAssessment,
            SUM(CASE WHEN ${ordinary} AND c.risk_level IS NOT NULL AND c.risk_assessed_on IS NOT NULL
                      AND (c.risk_assessment_expires_on < ? OR (c.risk_assessment_expires_on IS NULL AND c.risk_assessed_on < ?)) THEN 1 ELSE 0 END) AS expiredAssessment,
            SUM(CASE WHEN NOT EXISTS (SELECT 1 FROM customer_wecom_links l WHERE l.customer_id = c.id) THEN 1 ELSE 0 END) AS unlinked,
            SUM(CASE WHEN c.last_follow_up_at IS NULL OR c.last_follow_up_at < ? THEN 1 ELSE 0 END) AS quiet
       FROM customers c WHERE c.deleted_at IS NULL AND ${scope.sql}`,
    {
      replacements: [today, addDays(today, -DEFAULT_ASSESSMENT_VALID_DAYS), new Date(now.getTime() - QUIET_DAYS * 86_400_000), ...scope.params],
      type: QueryTypes.SELECT,
    },
  );
  const n = (key: keyof DataQuality) => Number(row?.[key] ?? 0);
  return {
    customers: n('customers'),
    missingPhone: n('missingPhone'),
    missingAssessment: n('missingAssessment'),
    expiredAssessment: n('expiredAssessment'),
    unlinked: n('unlinked'),
    quiet: n('quiet'),
  };
}
