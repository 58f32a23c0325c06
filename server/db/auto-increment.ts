/**
 * Ids of a multi-row INSERT under `auto_increment_increment` > 1. Sequelize's MySQL dialect
 * computes the ids of a `bulkCreate` as `insertId, insertId + 1, …`; on a Galera cluster each
 * node hands out ids with a stride of the cluster size (wsrep_auto_increment_control: node 1 takes
 * 1, 4, 7…, node 2 takes 2, 5, 8…), so those ids would be wrong — customers.insertCustomers'
 * check caught it. Each connection reads its stride once, and the ids of a multi-row insert on it
 * are spaced by it (a multi-row INSERT with its rows given takes its ids in one allocation, spaced
 * by the stride, also in InnoDB's interleaved lock mode 2 that Galera requires).
 */
import { createRequire } from 'node:module';
import type { Sequelize } from 'sequelize';

const strides = new WeakMap<object, number>();
let patched = false;

interface MysqlConnection {
  query(sql: string, callback: (err: Error | null, rows: { n: number }[]) => void): void;
}

export function spaceBulkInsertIds(sequelize: Sequelize): void {
  sequelize.addHook('afterConnect', async (connection: unknown) => {
    const stride = await new Promise<number>((resolve, reject) =>
      (connection as MysqlConnection).query('SELECT @@session.auto_increment_increment AS n', (err, rows) =>
        err ? reject(err) : resolve(Number(rows[0]?.n ?? 1)),
      ),
    );
    if (stride > 1) strides.set(connection as object, stride);
  });
  if (patched) return;
  patched = true;
  const Query = createRequire(__filename)('sequelize/lib/dialects/mysql/query') as {
    prototype: { formatResults(this: { connection: object; instance?: unknown }, data: { insertId?: number; constructor: { name: string } }): unknown };
  };
  const format = Query.prototype.formatResults;
  Query.prototype.formatResults = function (data) {
    const result = format.call(this, data);
    const stride = strides.get(this.connection);
    if (!stride || this.instance || !Array.isArray(result) || data?.constructor.name !== 'ResultSetHeader' || typeof data.insertId !== 'number') return result;
    const start = data.insertId;
    // Only what Sequelize made of a multi-row insert: `[[{ id: start }, { id: start + 1 }, …], affectedRows]`.
    const [ids, affected] = result as [unknown, unknown];
    const isIdRow = (row: unknown, k: number) => {
      const values = row !== null && typeof row === 'object' ? Object.values(row) : [];
      return values.length === 1 && values[0] === start + k;
    };
    if (!Array.isArray(ids) || ids.length < 2 || !ids.every(isIdRow)) return result;
    return [(ids as Record<string, number>[]).map((row, k) => Object.fromEntries(Object.keys(row).map((key) => [key, start + k * stride]))), affected];
  };
}
