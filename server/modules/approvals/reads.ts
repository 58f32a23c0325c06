/**
 * What other modules read of the approvals: the approval a record came from (合规's suitability
 * ledger shows each exception with the request it went through and who agreed).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { ApprovalType } from '@shared/approval-labels';
import { sqlList } from '../../db/dialect';
import { namesById } from '../../db/lookup';

export interface ApprovalOfResult {
  id: number;
  /** Everyone who agreed, in the order they did. */
  approvers: string[];
}

/** The approved request of `type` that created each of these records (`result_entity` + `result_id`). */
export async function approvalsOfResults(
  sequelize: Sequelize,
  type: ApprovalType,
  entity: string,
  ids: readonly number[],
): Promise<Map<number, ApprovalOfResult>> {
  if (!ids.length) return new Map();
  const requests = await sequelize.query<{ id: number; result_id: number }>(
    `SELECT id, result_id FROM approval_requests WHERE type = ? AND status = 'approved' AND result_entity = ? AND result_id IN (${sqlList(ids)})`,
    { replacements: [type, entity, ...ids], type: QueryTypes.SELECT },
  );
  if (!requests.length) return new Map();
  const decisions = await sequelize.query<{ request_id: number; approver_user_id: number }>(
    `SELECT request_id, approver_user_id FROM approval_decisions WHERE decision = 'approved' AND request_id IN (${sqlList(requests)}) ORDER BY id`,
    { replacements: requests.map((r) => Number(r.id)), type: QueryTypes.SELECT },
  );
  const names = await namesById(
    sequelize,
    'users',
    decisions.map((d) => Number(d.approver_user_id)),
  );
  return new Map(
    requests.map((r) => [
      Number(r.result_id),
      {
        id: Number(r.id),
        approvers: decisions.filter((d) => Number(d.request_id) === Number(r.id)).map((d) => names.get(Number(d.approver_user_id)) ?? ''),
      },
    ]),
  );
}
