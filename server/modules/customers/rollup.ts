/**
 * `customer_counts`: live customers per department × owner × source × stage × level × 渠道活码 ×
 * China month of creation (migration 0022). Database triggers on `customers` keep it in step with every
 * write, whatever path it takes; this module counts it again from scratch and compares it with
 * the live aggregate.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { chinaMonthSql, updateRows } from '../../db/dialect';

export interface CustomerCount {
  department_id: number;
  owner_user_id: number;
  /** '' for none. */
  source: string;
  lifecycle_stage: string;
  /** '' for none. */
  level: string;
  /** The 渠道活码 state the lead came through; '' for none. */
  acquisition_channel: string;
  created_month: string;
  customer_count: number;
}

const KEY = ['department_id', 'owner_user_id', 'source', 'lifecycle_stage', 'level', 'acquisition_channel', 'created_month'] as const;

/** The live aggregate, grouped like the rollup's key: `c` is the customers alias. */
function liveSelect(sequelize: Sequelize): { columns: string; groupBy: string } {
  const key = [
    'c.department_id',
    'c.owner_user_id',
    "COALESCE(c.source, '')",
    'c.lifecycle_stage',
    "COALESCE(c.level, '')",
    "COALESCE(c.acquisition_channel, '')",
    chinaMonthSql(sequelize, 'c.created_at'),
  ];
  return { columns: key.map((k, i) => `${k} AS ${KEY[i]}`).join(', '), groupBy: key.join(', ') };
}

const ordered = `ORDER BY ${KEY.join(', ')}`;

function normalised(rows: CustomerCount[]): CustomerCount[] {
  return rows.map((r) => ({ ...r, department_id: Number(r.department_id), owner_user_id: Number(r.owner_user_id), customer_count: Number(r.customer_count) }));
}

/** Count every live customer again, in one transaction with emptying the rollup. */
export async function rebuildCustomerCounts(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const { columns, groupBy } = liveSelect(sequelize);
  const now = new Date();
  await updateRows(sequelize, 'DELETE FROM customer_counts', [], transaction);
  await sequelize.query(
    `INSERT INTO customer_counts (${KEY.join(', ')}, customer_count, created_at, updated_at)
     SELECT ${columns}, COUNT(*), ?, ? FROM customers c WHERE c.deleted_at IS NULL GROUP BY ${groupBy}`,
    { replacements: [now, now], transaction },
  );
}

/** What the rollup should hold: the live customers grouped by its key. */
export async function liveCustomerCounts(sequelize: Sequelize, transaction?: Transaction): Promise<CustomerCount[]> {
  const { columns, groupBy } = liveSelect(sequelize);
  const rows = await sequelize.query<CustomerCount>(
    `SELECT ${columns}, COUNT(*) AS customer_count FROM customers c WHERE c.deleted_at IS NULL GROUP BY ${groupBy} ${ordered}`,
    { type: QueryTypes.SELECT, transaction },
  );
  return normalised(rows);
}

/** What the rollup holds (rows counted down to 0 left out). */
export async function storedCustomerCounts(sequelize: Sequelize, transaction?: Transaction): Promise<CustomerCount[]> {
  const rows = await sequelize.query<CustomerCount>(`SELECT ${KEY.join(', ')}, customer_count FROM customer_counts WHERE customer_count <> 0 ${ordered}`, {
    type: QueryTypes.SELECT,
    transaction,
  });
  return normalised(rows);
}

/** How many keys the rollup counts differently from the live customers (0 when in step). */
export async function customerCountDrift(sequelize: Sequelize, transaction?: Transaction): Promise<number> {
  const [live, stored] = await Promise.all([liveCustomerCounts(sequelize, transaction), storedCustomerCounts(sequelize, transaction)]);
  const keyOf = (r: CustomerCount) => KEY.map((k) => r[k]).join('\u0000');
  const counts = new Map(live.map((r) => [keyOf(r), r.customer_count]));
  for (const r of stored) counts.set(keyOf(r), (counts.get(keyOf(r)) ?? 0) - r.customer_count);
  return [...counts.values()].filter((n) => n !== 0).length;
}
