import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { ApprovalMode, ApprovalStatus, ApprovalType } from '@shared/approval-labels';
import { idColumn, modelsFor, TIMESTAMPS } from '../../db/model-registry';

/** An admin's rule for one type (migration 0030); `steps` is the JSON of ApprovalRuleStep[]. */
export interface ApprovalRuleRow {
  id: number;
  type: ApprovalType;
  steps: string;
  expire_days: number;
  updated_by: number | null;
  created_at: Date;
  updated_at: Date;
}

/** A step of a request as it was when submitted: its name and mode (its approvers are rows of approval_approvers). */
export interface RequestStep {
  name: string;
  mode: ApprovalMode;
}

export interface ApprovalRequestRow {
  id: number;
  type: ApprovalType;
  status: ApprovalStatus;
  title: string;
  /** The draft the request would apply, as JSON: nothing takes effect before approval. */
  subject: string;
  reason: string;
  requester_user_id: number;
  requester_department_id: number | null;
  /** JSON of RequestStep[]. */
  steps: string;
  /** 1-based: the step waiting for its approvers (or the last reached, once decided). */
  current_step: number;
  expires_at: Date;
  decided_at: Date | null;
  /** Why the engine ended it (expired) — in Chinese, for the requester. */
  outcome_note: string | null;
  /** What approving created (`trade` #id). */
  result_entity: string | null;
  result_id: number | null;
  /** The subject's fingerprint while pending (unique), NULL after: one live request per draft. */
  live_key: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface ApprovalApproverRow {
  id: number;
  request_id: number;
  step_no: number;
  user_id: number;
  created_at: Date;
  updated_at: Date;
}

export interface ApprovalDecisionRow {
  id: number;
  request_id: number;
  step_no: number;
  approver_user_id: number;
  decision: 'approved' | 'rejected';
  comment: string | null;
  created_at: Date;
  updated_at: Date;
}

type Auto = 'id' | 'created_at' | 'updated_at';

export const approvalModels = modelsFor((sequelize) => {
  const ApprovalRule: ModelStatic<Model<ApprovalRuleRow, Optional<ApprovalRuleRow, Auto | 'updated_by'>>> = sequelize.define(
    'ApprovalRule',
    {
      id: idColumn(),
      type: DataTypes.STRING(32),
      steps: DataTypes.TEXT,
      expire_days: DataTypes.INTEGER,
      updated_by: DataTypes.INTEGER,
    },
    { tableName: 'approval_rules', ...TIMESTAMPS },
  );
  const ApprovalRequest: ModelStatic<
    Model<ApprovalRequestRow, Optional<ApprovalRequestRow, Auto | 'decided_at' | 'outcome_note' | 'result_entity' | 'result_id' | 'live_key'>>
  > = sequelize.define(
    'ApprovalRequest',
    {
      id: idColumn(),
      type: DataTypes.STRING(32),
      status: DataTypes.STRING(16),
      title: DataTypes.STRING(255),
      subject: DataTypes.TEXT,
      reason: DataTypes.STRING(500),
      requester_user_id: DataTypes.INTEGER,
      requester_department_id: DataTypes.INTEGER,
      steps: DataTypes.TEXT,
      current_step: DataTypes.INTEGER,
      expires_at: DataTypes.DATE,
      decided_at: DataTypes.DATE,
      outcome_note: DataTypes.STRING(500),
      result_entity: DataTypes.STRING(32),
      result_id: DataTypes.INTEGER,
      live_key: DataTypes.STRING(100),
    },
    { tableName: 'approval_requests', ...TIMESTAMPS },
  );
  const ApprovalApprover: ModelStatic<Model<ApprovalApproverRow, Optional<ApprovalApproverRow, Auto>>> = sequelize.define(
    'ApprovalApprover',
    {
      id: idColumn(),
      request_id: DataTypes.INTEGER,
      step_no: DataTypes.INTEGER,
      user_id: DataTypes.INTEGER,
    },
    { tableName: 'approval_approvers', ...TIMESTAMPS },
  );
  const ApprovalDecision: ModelStatic<Model<ApprovalDecisionRow, Optional<ApprovalDecisionRow, Auto | 'comment'>>> = sequelize.define(
    'ApprovalDecision',
    {
      id: idColumn(),
      request_id: DataTypes.INTEGER,
      step_no: DataTypes.INTEGER,
      approver_user_id: DataTypes.INTEGER,
      decision: DataTypes.STRING(16),
      comment: DataTypes.STRING(500),
    },
    { tableName: 'approval_decisions', ...TIMESTAMPS },
  );
  return { ApprovalRule, ApprovalRequest, ApprovalApprover, ApprovalDecision };
});
