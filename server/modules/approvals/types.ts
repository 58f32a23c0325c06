/**
 * What an approval type is to the engine: a handler that reads, describes, validates and applies
 * its drafts. The engine knows no subject (it imports no CRM module); each type lives beside what
 * it applies (the suitability exception in server/modules/suitability-exceptions) and is handed to
 * the engine in container.ts. 群发内容 and 话术审核 of [outreach] are more handlers, nothing else.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { ApprovalSubjectRow, ApprovalType } from '@shared/approval-labels';
import type { ApprovalRuleInput } from '@shared/approvals';
import type { Permission } from '@shared/permissions';
import type { Caller } from '../roles/ownership';

export interface ApprovalContext {
  sequelize: Sequelize;
  transaction: Transaction;
  /**
   * The requester as a caller now — their current roles and scope, so a permission or a customer
   * they lost meanwhile counts. At approval its audit actor is the approver who decided.
   */
  requester: Caller;
}

/** What approving created, and the H5 path that shows it. */
export interface AppliedSubject {
  entity: string;
  id: number;
  path: string | null;
}

export interface ApprovalTypeHandler<S = unknown> {
  type: ApprovalType;
  /** Reads a stored draft (the parsed JSON of `subject`) back; throws when it is not one. */
  parse(raw: unknown): S;
  /** One line for lists and WeCom cards (「张三 申购 稳健增长 10 万元」), written when the request is submitted. */
  title(sequelize: Sequelize, subject: S, transaction?: Transaction): Promise<string>;
  /** What the draft would do, line by line, for the request's page. */
  describe(sequelize: Sequelize, subject: S): Promise<ApprovalSubjectRow[]>;
  /**
   * Whether the draft still holds, writing nothing; throws a DomainError saying why not (the
   * customer's assessment expired meanwhile). Run when the request's page is read.
   */
  validate(ctx: ApprovalContext, subject: S): Promise<void>;
  /**
   * Applies the draft in the approval's transaction, validating it again there first (the same
   * refusal as `validate` when it no longer holds: the approval is then refused and nothing is kept).
   */
  apply(ctx: ApprovalContext & { approvalId: number }, subject: S): Promise<AppliedSubject>;
  /** Where an applied subject can be seen (`result` of the request's page). */
  resultPath(subject: S, resultId: number): string | null;
  /**
   * What an approved request lets its requester download, and until when (a customer-data export's
   * file); shown on their 我发起的 and the request's page. Types that create a record have none.
   */
  download?(subject: S, approval: { id: number; decidedAt: Date }): { path: string; until: Date } | null;
  /** Only holders of this may approve the type: checked when approvers are resolved and again at every decision. */
  approverPermission?: Permission;
  /** The rule until an admin saves one for the type. */
  defaultRule: ApprovalRuleInput;
}

/** The handlers by type; a type without one is not offered anywhere. */
export class ApprovalRegistry {
  private readonly handlers = new Map<ApprovalType, ApprovalTypeHandler>();

  constructor(handlers: readonly ApprovalTypeHandler[]) {
    for (const h of handlers) this.handlers.set(h.type, h);
  }

  get(type: ApprovalType): ApprovalTypeHandler {
    const handler = this.handlers.get(type);
    if (!handler) throw new Error(`approval type ${type} has no handler`);
    return handler;
  }

  has(type: string): type is ApprovalType {
    return this.handlers.has(type as ApprovalType);
  }

  types(): ApprovalType[] {
    return [...this.handlers.keys()];
  }
}
