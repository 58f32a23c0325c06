import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 商机 (server/README.md#opportunities-商机):
 * - `dictionaries.probability`: a 商机阶段's probability in percent (NULL for every other type);
 *   the stages and the loss reasons are seeded here (values as of this release, not read from
 *   shared/ so that a later default never rewrites what this migration did).
 * - `opportunities`: one per customer's expected buy — its products (a JSON array of ids), the
 *   expected amount in fen, stage, expected date, next step, owner and department (the scope
 *   columns, like customers'), the loss reason, the trade 成交 booked, when the stage last changed.
 * - `opportunity_stage_changes`: every stage an opportunity entered (the first row: its creation),
 *   for the customer's timeline and the funnel's conversion between stages.
 */
const STAGES: [string, string, number][] = [
  ['initial', '初步沟通', 10],
  ['needs', '需求确认', 30],
  ['proposal', '方案推荐', 50],
  ['pending_payment', '待打款', 80],
  ['won', '成交', 100],
  ['lost', '输单', 0],
];
const LOSS_REASONS: [string, string][] = [
  ['yield', '收益或费率不满意'],
  ['competitor', '选择了其他机构'],
  ['risk', '风险偏好不匹配'],
  ['liquidity', '资金安排变化'],
  ['no_response', '客户失联'],
  ['other', '其他'],
];

export const migration: Migration = {
  name: '0036_opportunities',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('dictionaries', 'probability', { type: DataTypes.INTEGER, allowNull: true });
    const now = new Date();
    await q.bulkInsert('dictionaries', [
      ...STAGES.map(([code, label, probability], i) => ({
        type: 'opportunity_stage',
        code,
        label,
        probability,
        sort_order: (i + 1) * 10,
        enabled: true,
        created_at: now,
        updated_at: now,
      })),
      ...LOSS_REASONS.map(([code, label], i) => ({
        type: 'opportunity_loss_reason',
        code,
        label,
        probability: null,
        sort_order: (i + 1) * 10,
        enabled: true,
        created_at: now,
        updated_at: now,
      })),
    ]);
    await q.createTable(
      'opportunities',
      {
        ...id,
        name: { type: DataTypes.STRING(100), allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        partner_id: { type: DataTypes.INTEGER, allowNull: true },
        product_ids: { type: DataTypes.TEXT, allowNull: false },
        expected_amount_fen: { type: DataTypes.BIGINT, allowNull: false },
        stage: { type: DataTypes.STRING(64), allowNull: false },
        expected_on: { type: DataTypes.DATEONLY, allowNull: false },
        next_step: { type: DataTypes.STRING(255), allowNull: true },
        owner_user_id: { type: DataTypes.INTEGER, allowNull: false },
        department_id: { type: DataTypes.INTEGER, allowNull: false },
        loss_reason: { type: DataTypes.STRING(64), allowNull: true },
        loss_note: { type: DataTypes.STRING(255), allowNull: true },
        trade_id: { type: DataTypes.INTEGER, allowNull: true },
        stage_changed_at: { type: DataTypes.DATE, allowNull: false },
        closed_at: { type: DataTypes.DATE, allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('opportunities', ['customer_id'], { name: 'opportunities_customer' });
    await q.addIndex('opportunities', ['owner_user_id', 'stage'], { name: 'opportunities_owner_stage' });
    await q.addIndex('opportunities', ['department_id', 'stage'], { name: 'opportunities_department_stage' });
    await q.addIndex('opportunities', ['expected_on'], { name: 'opportunities_expected_on' });
    await q.createTable(
      'opportunity_stage_changes',
      {
        ...id,
        opportunity_id: { type: DataTypes.INTEGER, allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        from_stage: { type: DataTypes.STRING(64), allowNull: true },
        to_stage: { type: DataTypes.STRING(64), allowNull: false },
        changed_by: { type: DataTypes.INTEGER, allowNull: true },
        at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('opportunity_stage_changes', ['opportunity_id'], { name: 'opportunity_stage_changes_opportunity' });
    await q.addIndex('opportunity_stage_changes', ['customer_id', 'at'], { name: 'opportunity_stage_changes_customer' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('opportunity_stage_changes');
    await q.dropTable('opportunities');
    await q.bulkDelete('dictionaries', { type: ['opportunity_stage', 'opportunity_loss_reason'] });
    // Plain DROP COLUMN (SQLite ≥ 3.35, MySQL): Sequelize's SQLite removeColumn rebuilds the table
    // and trips over dictionaries' unique index while the copy exists ("Validation error").
    await q.sequelize.query('ALTER TABLE dictionaries DROP COLUMN probability');
  },
};
