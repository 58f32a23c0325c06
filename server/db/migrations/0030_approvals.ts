import { DataTypes } from 'sequelize';
import { grant } from './0021_suitability';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 审批 (server/README.md#approvals-审批): one engine for every request that needs someone else's yes.
 * - `approval_rules`: an admin's rule per type (its steps as JSON, how many days a request may
 *   wait); a type without a row runs on its built-in default.
 * - `approval_requests`: the request — its type, the subject it would create kept as a JSON draft
 *   (nothing takes effect before approval), requester, reason, the steps as they were when it was
 *   submitted, the state. `live_key` holds the subject's fingerprint while pending and is NULL
 *   after: unique, so the same draft is never waiting twice (a double tap) — by the schema.
 * - `approval_approvers`: who may decide each step, resolved from the rule at submission.
 * - `approval_decisions`: one decision per approver per step (a unique key, not a check).
 * Reps may now ask for a suitability exception (`sales.request_exception`); approving one stays
 * with holders of `sales.override_suitability` (managers, 合规).
 */
const GRANTS: Record<string, string[]> = { sales: ['sales.request_exception'] };

export const migration: Migration = {
  name: '0030_approvals',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'approval_rules',
      {
        ...id,
        type: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        steps: { type: DataTypes.TEXT, allowNull: false },
        expire_days: { type: DataTypes.INTEGER, allowNull: false },
        updated_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'approval_requests',
      {
        ...id,
        type: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        title: { type: DataTypes.STRING(255), allowNull: false },
        subject: { type: DataTypes.TEXT, allowNull: false },
        reason: { type: DataTypes.STRING(500), allowNull: false },
        requester_user_id: { type: DataTypes.INTEGER, allowNull: false },
        requester_department_id: { type: DataTypes.INTEGER, allowNull: true },
        steps: { type: DataTypes.TEXT, allowNull: false },
        current_step: { type: DataTypes.INTEGER, allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        decided_at: { type: DataTypes.DATE, allowNull: true },
        outcome_note: { type: DataTypes.STRING(500), allowNull: true },
        result_entity: { type: DataTypes.STRING(32), allowNull: true },
        result_id: { type: DataTypes.INTEGER, allowNull: true },
        live_key: { type: DataTypes.STRING(100), allowNull: true, unique: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('approval_requests', ['requester_user_id', 'id'], { name: 'approval_requests_requester' });
    await q.addIndex('approval_requests', ['status', 'expires_at'], { name: 'approval_requests_expiry' });
    await q.addIndex('approval_requests', ['type', 'status'], { name: 'approval_requests_type' });
    await q.createTable(
      'approval_approvers',
      {
        ...id,
        request_id: { type: DataTypes.INTEGER, allowNull: false },
        step_no: { type: DataTypes.INTEGER, allowNull: false },
        user_id: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('approval_approvers', ['request_id', 'step_no', 'user_id'], { name: 'approval_approvers_once', unique: true });
    await q.addIndex('approval_approvers', ['user_id', 'request_id'], { name: 'approval_approvers_user' });
    await q.createTable(
      'approval_decisions',
      {
        ...id,
        request_id: { type: DataTypes.INTEGER, allowNull: false },
        step_no: { type: DataTypes.INTEGER, allowNull: false },
        approver_user_id: { type: DataTypes.INTEGER, allowNull: false },
        decision: { type: DataTypes.STRING(16), allowNull: false },
        comment: { type: DataTypes.STRING(500), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('approval_decisions', ['request_id', 'step_no', 'approver_user_id'], { name: 'approval_decisions_once', unique: true });
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    await grant(q, GRANTS, true);
    for (const table of ['approval_decisions', 'approval_approvers', 'approval_requests', 'approval_rules']) await q.dropTable(table);
  },
};
