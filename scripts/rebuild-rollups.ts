/**
 * `npm run rollups:rebuild`: counts the rollups of DATABASE_URL again from their live rows, in one
 * transaction — customers (`customer_counts`), follow-ups (`follow_ups_monthly`) and sales
 * (`sales_monthly`). For after a bulk load written around the services, or to repair drift;
 * reports how many customer-count keys were off.
 */
import type { Sequelize } from 'sequelize';
import { ConfigError, loadConfigFromProcess, redactUrl } from '../config';
import { openDatabase } from '../server/db';
import { retryOnDeadlock } from '../server/db/dialect';
import { customerCountDrift, rebuildCustomerCounts } from '../server/modules/customers/rollup';
import { rebuildFollowUpRollup } from '../server/modules/follow-ups/rollup';
import { rebuildSalesRollup } from '../server/modules/trades/rollup';

/** Rebuilds every rollup; returns how many `customer_counts` keys differed beforehand. */
export async function rebuildRollups(sequelize: Sequelize): Promise<number> {
  return retryOnDeadlock(() =>
    sequelize.transaction(async (transaction) => {
      const drift = await customerCountDrift(sequelize, transaction);
      await rebuildCustomerCounts(sequelize, transaction);
      await rebuildFollowUpRollup(sequelize, transaction);
      await rebuildSalesRollup(sequelize, transaction);
      return drift;
    }),
  );
}

async function run(): Promise<void> {
  const config = loadConfigFromProcess();
  const sequelize = await openDatabase(config.database);
  try {
    const drift = await rebuildRollups(sequelize);
    process.stdout.write(`已重建 ${redactUrl(config.database.url)} 的汇总表（客户计数有 ${drift} 组不一致，已修正）。\n`);
  } finally {
    await sequelize.close();
  }
}

if (require.main === module) {
  run().catch((err: unknown) => {
    process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
    process.exit(1);
  });
}
