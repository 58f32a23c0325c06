import { DataTypes, type Sequelize } from 'sequelize';
import type { Dialect } from '../connection';
import { chinaMonthSql } from '../dialect';
import { timestamps } from './columns';
import type { Migration } from './types';

/**
 * `customer_counts`: live customers counted per department × owner × source × stage × level ×
 * 渠道活码 (`acquisition_channel`) × China month of creation, for the customers dashboard (server/README.md#dashboards): at the bench's 196k
 * customers the live GROUP BY was the bulk of ~300 ms on MariaDB; the rollup is ~15k rows.
 * "No follow-up for 30 days" depends on now, so it is not rolled up: the dashboard counts the
 * customers followed up since the cutoff from the index added here. Further indexes serve the
 * dashboard's lost-contacts and 渠道活码 figures from indexes alone.
 *
 * Kept by database triggers rather than by service calls: customers are written by the API, the
 * Excel and history imports, leads from the sync and from callbacks, merges, transfers, removal,
 * the demo seed's bulk SQL and raw fixtures — a trigger cannot be forgotten by the next write
 * path. Each trigger moves a count in the writer's own transaction (on MySQL it holds that rollup
 * row's lock until commit: writers of the same owner × key take turns, and a deadlock between two
 * bulk writers rolls one back whole, for its caller to retry). Only a change of a counted column
 * moves a count (a follow-up's `last_follow_up_at` does not). NULL source / level / channel are stored as ''
 * so that the primary key dedupes them (dictionary codes are never empty); owner and department
 * are NOT NULL on customers. `npm run rollups:rebuild` counts it again.
 */
const KEY = ['department_id', 'owner_user_id', 'source', 'lifecycle_stage', 'level', 'acquisition_channel', 'created_month'] as const;
const COLUMNS = `${KEY.join(', ')}, customer_count, created_at, updated_at`;
const TRIGGERS = ['customer_counts_insert', 'customer_counts_update', 'customer_counts_delete'];

/** The rollup key of a customers row (`row`: `NEW`, `OLD` or a table alias). */
function keyOf(sequelize: Sequelize, row: string): string[] {
  return [
    `${row}.department_id`,
    `${row}.owner_user_id`,
    `COALESCE(${row}.source, '')`,
    `${row}.lifecycle_stage`,
    `COALESCE(${row}.level, '')`,
    `COALESCE(${row}.acquisition_channel, '')`,
    chinaMonthSql(sequelize, `${row}.created_at`),
  ];
}

const matchesKey = (sequelize: Sequelize, row: string) =>
  keyOf(sequelize, row)
    .map((value, i) => `${KEY[i]} = ${value}`)
    .join(' AND ');

/** Whether an UPDATE moved the row to another key, or in or out of the live set. */
function keyChanged(dialect: Dialect): string {
  const differs = (column: string) => (dialect === 'mysql' ? `NOT (OLD.${column} <=> NEW.${column})` : `OLD.${column} IS NOT NEW.${column}`);
  return [
    ...['department_id', 'owner_user_id', 'source', 'lifecycle_stage', 'level', 'acquisition_channel', 'created_at'].map(differs),
    '(OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)',
  ].join(' OR ');
}

function triggerSql(sequelize: Sequelize, dialect: Dialect): string[] {
  const now = dialect === 'mysql' ? 'UTC_TIMESTAMP(3)' : `strftime('%Y-%m-%d %H:%M:%f', 'now') || ' +00:00'`;
  const add = (row: string) => {
    const insert = `INSERT INTO customer_counts (${COLUMNS}) VALUES (${keyOf(sequelize, row).join(', ')}, 1, ${now}, ${now})`;
    return dialect === 'mysql'
      ? `${insert} ON DUPLICATE KEY UPDATE customer_count = customer_count + 1, updated_at = VALUES(updated_at)`
      : `${insert} ON CONFLICT (${KEY.join(', ')}) DO UPDATE SET customer_count = customer_count + 1, updated_at = excluded.updated_at`;
  };
  // Counts that reach 0 stay as rows (readers skip them): no delete / re-insert churn on hot keys.
  const remove = (row: string) => `UPDATE customer_counts SET customer_count = customer_count - 1, updated_at = ${now} WHERE ${matchesKey(sequelize, row)}`;
  if (dialect === 'mysql') {
    return [
      `CREATE TRIGGER customer_counts_insert AFTER INSERT ON customers FOR EACH ROW
       BEGIN IF NEW.deleted_at IS NULL THEN ${add('NEW')}; END IF; END`,
      `CREATE TRIGGER customer_counts_update AFTER UPDATE ON customers FOR EACH ROW
       BEGIN
         IF ${keyChanged(dialect)} THEN
           IF OLD.deleted_at IS NULL THEN ${remove('OLD')}; END IF;
           IF NEW.deleted_at IS NULL THEN ${add('NEW')}; END IF;
         END IF;
       END`,
      `CREATE TRIGGER customer_counts_delete AFTER DELETE ON customers FOR EACH ROW
       BEGIN IF OLD.deleted_at IS NULL THEN ${remove('OLD')}; END IF; END`,
    ];
  }
  return [
    `CREATE TRIGGER customer_counts_insert AFTER INSERT ON customers WHEN NEW.deleted_at IS NULL
     BEGIN ${add('NEW')}; END`,
    // Two triggers for an update (out of the old key, into the new one): SQLite has no IF.
    `CREATE TRIGGER customer_counts_update AFTER UPDATE OF department_id, owner_user_id, source, lifecycle_stage, level, acquisition_channel, created_at, deleted_at ON customers
     WHEN OLD.deleted_at IS NULL AND (${keyChanged(dialect)})
     BEGIN ${remove('OLD')}; END`,
    `CREATE TRIGGER customer_counts_update_in AFTER UPDATE OF department_id, owner_user_id, source, lifecycle_stage, level, acquisition_channel, created_at, deleted_at ON customers
     WHEN NEW.deleted_at IS NULL AND (${keyChanged(dialect)})
     BEGIN ${add('NEW')}; END`,
    `CREATE TRIGGER customer_counts_delete AFTER DELETE ON customers WHEN OLD.deleted_at IS NULL
     BEGIN ${remove('OLD')}; END`,
  ];
}

export const migration: Migration = {
  name: '0022_customer_counts',
  async up({ sequelize, queryInterface: q, dialect, tableOptions }) {
    const key = { allowNull: false, primaryKey: true };
    await q.createTable(
      'customer_counts',
      {
        department_id: { type: DataTypes.INTEGER, ...key },
        owner_user_id: { type: DataTypes.INTEGER, ...key },
        source: { type: DataTypes.STRING(32), ...key },
        lifecycle_stage: { type: DataTypes.STRING(32), ...key },
        level: { type: DataTypes.STRING(32), ...key },
        acquisition_channel: { type: DataTypes.STRING(64), ...key },
        created_month: { type: DataTypes.STRING(7), ...key },
        customer_count: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    // A department-tree scope is `owner = me OR department IN (…)`: the key leads with the department.
    await q.addIndex('customer_counts', ['owner_user_id'], { name: 'customer_counts_owner' });
    // "No follow-up for 30 days" = live customers − those followed up since the cutoff, from this index alone.
    await q.addIndex('customers', ['deleted_at', 'last_follow_up_at', 'owner_user_id', 'department_id'], { name: 'customers_live_followed' });
    // The dashboard's other figures, read from indexes alone: contacts lost in the period (few)
    // instead of every WeCom link; relations added through a 渠道活码 in a period (its leads come from the rollup).
    await q.addIndex('wecom_follow_relations', ['delete_reason', 'deleted_at'], { name: 'wecom_follow_relations_lost' });
    await q.addIndex('wecom_follow_relations', ['state', 'added_at', 'userid'], { name: 'wecom_follow_relations_state_added' });
    for (const sql of triggerSql(sequelize, dialect)) await sequelize.query(sql);
    // Counted after the triggers exist, in one transaction with the emptying: a write committed
    // in between is counted once either way (MySQL's INSERT … SELECT locks what it reads).
    await sequelize.transaction(async (transaction) => {
      const grouped = keyOf(sequelize, 'c').join(', ');
      await sequelize.query('DELETE FROM customer_counts', { transaction });
      await sequelize.query(
        `INSERT INTO customer_counts (${COLUMNS})
         SELECT ${grouped}, COUNT(*), ?, ? FROM customers c WHERE c.deleted_at IS NULL GROUP BY ${grouped}`,
        { replacements: [new Date(), new Date()], transaction },
      );
    });
  },
  async down({ sequelize, queryInterface: q, dialect }) {
    for (const name of [...TRIGGERS, ...(dialect === 'sqlite' ? ['customer_counts_update_in'] : [])]) await sequelize.query(`DROP TRIGGER IF EXISTS ${name}`);
    await q.removeIndex('wecom_follow_relations', 'wecom_follow_relations_state_added');
    await q.removeIndex('wecom_follow_relations', 'wecom_follow_relations_lost');
    await q.removeIndex('customers', 'customers_live_followed');
    await q.dropTable('customer_counts');
  },
};
