import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * How many customers a rep's list holds in the demo: what the rep owns, less what the demo put into
 * 公海 (nobody's there). `wecomUserid` names the rep.
 */
export async function demoBookSize(sequelize: Sequelize, wecomUserid: string): Promise<number> {
  const [book] = await sequelize.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM customers c JOIN users u ON u.id = c.owner_user_id
      WHERE u.wecom_userid = ? AND c.deleted_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM customer_pool_entries pe WHERE pe.live_customer_id = c.id)`,
    { replacements: [wecomUserid], type: QueryTypes.SELECT },
  );
  return Number(book!.n);
}
