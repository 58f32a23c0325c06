/**
 * The approval engine (server/README.md#approvals-审批). A request carries a draft of what it would do
 * (its subject); nothing of it takes effect until the last step approves, and then its type's
 * handler validates it again and applies it in the approval's own transaction — a draft that no
 * longer holds (the customer's assessment expired meanwhile) is refused with the reason and
 * nothing is kept. Steps pass when any one, or all, of their approvers agree; one 驳回 ends the
 * request. The requester never decides their own; every decision is audited with its comment; a
 * request nobody decides expires after its rule's days (lazily when read, and by a sweep).
 */
import { createHash } from 'node:crypto';
import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import { APPROVAL_STATUSES, APPROVAL_TYPES, type ApprovalListItem, type ApprovalStepView, type ApprovalType, type ApprovalView } from '@shared/approval-labels';
import type { ApprovalRuleInput } from '@shared/approvals';
import type { FieldIssue, PageOf } from '@shared/http';
import { businessDateTime } from '@shared/time';
import { retryOnDeadlock } from '../../db/dialect';
import { iso, isoOrNull, namesById } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { DomainError, duplicate, forbidden, missingPermission, notFound } from '../../errors';
import type { Logger } from '../../logger';
import { audit, SYSTEM_ACTOR, type Actor } from '../audit/service';
import { employeesByIds } from '../org/reads';
import { loadAccess, type Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { approvalModels, type ApprovalRequestRow, type RequestStep } from './models';
import { notifyApprovers, notifyRequester, notifyWithdrawn } from './notices';
import { listRules, resolveApprovers, ruleOf, saveRule } from './rules';
import type { ApprovalRegistry, ApprovalTypeHandler } from './types';

export interface EngineDeps {
  sequelize: Sequelize;
  registry: ApprovalRegistry;
  logger?: Logger;
  now?: () => Date;
  /** Told once a transaction that queued WeCom cards has committed, so they go out now rather than at the sender's next minute. */
  onNotified?: () => void;
}

export interface ApprovalListQuery extends PageRequest {
  /** What the caller asked, instead of what waits for them. */
  mine?: boolean;
  /** Every request of the corp (合规's workspace; the route checks who may). */
  all?: boolean;
  status?: keyof typeof APPROVAL_STATUSES;
  type?: ApprovalType;
}

/** How long between two sweeps for requests past their expiry (reads expire them lazily as well). */
const SWEEP_MS = 10 * 60_000;
const DAY_MS = 86_400_000;
const SWEEP_BATCH = 100;

/** The same draft written the same way: keys sorted, so a double tap finds the request already waiting. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** What a refusal of the handler says, for a person: a bad field's own words rather than 「请求参数不正确」. */
export function refusalText(err: DomainError): string {
  const issues = Array.isArray(err.details) ? (err.details as FieldIssue[]) : [];
  return err.kind === 'invalid' && issues.length ? issues.map((i) => i.message).join('；') : err.message;
}

/** A handler's refusal at approval: the subject no longer holds. */
const STALE_KINDS = new Set(['invalid', 'not_found', 'conflict', 'forbidden']);

export class ApprovalEngine {
  private readonly now: () => Date;
  private timer: ReturnType<typeof setInterval> | undefined;
  private sweeping: Promise<unknown> | undefined;

  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get registry(): ApprovalRegistry {
    return this.deps.registry;
  }

  /** Sweeps expired requests every few minutes (where the reminders run). */
  start(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_MS);
    this.timer.unref();
    void this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private sweep(): Promise<unknown> {
    this.sweeping ??= this.expireDue()
      .catch((err: unknown) => this.deps.logger?.error({ err }, 'approval expiry sweep failed'))
      .finally(() => {
        this.sweeping = undefined;
      });
    return this.sweeping;
  }

  private transaction<T>(work: (transaction: Transaction) => Promise<T>): Promise<T> {
    return retryOnDeadlock(() => this.deps.sequelize.transaction(work));
  }

  private notifiedAfterCommit(transaction: Transaction): void {
    const told = this.deps.onNotified;
    if (told) transaction.afterCommit(() => told());
  }

  /**
   * Submits a request inside the caller's transaction (the door that built the draft checked it
   * there): resolves every step's approvers from the type's rule, keeps the draft, audits and
   * tells the first step's approvers. The same draft already waiting is a 409 `duplicate`.
   */
  async submit(input: { type: ApprovalType; requester: Caller; subject: unknown; reason: string }, transaction: Transaction): Promise<number> {
    const { sequelize } = this.deps;
    const { ApprovalRequest, ApprovalApprover } = approvalModels(sequelize);
    const handler = this.registry.get(input.type);
    const subject = handler.parse(input.subject);
    const requesterId = input.requester.access.userId;
    const rule = await ruleOf(sequelize, this.registry, input.type, transaction);
    const approvers = await resolveApprovers(sequelize, rule.steps, requesterId, handler.approverPermission, transaction);
    const liveKey = `${input.type}:${createHash('sha256').update(stableJson(subject)).digest('hex')}`;
    const waiting = (await ApprovalRequest.findOne({ where: { live_key: liveKey }, transaction }))?.get();
    if (waiting) throw duplicate('同样的申请已在审批中，请勿重复提交', { existingId: waiting.id });
    const now = this.now();
    const steps: RequestStep[] = rule.steps.map((s) => ({ name: s.name, mode: s.mode }));
    let created: ApprovalRequestRow;
    try {
      created = (
        await ApprovalRequest.create(
          {
            type: input.type,
            status: 'pending',
            title: (await handler.title(sequelize, subject, transaction)).slice(0, 255),
            subject: JSON.stringify(subject),
            reason: input.reason,
            requester_user_id: requesterId,
            requester_department_id: input.requester.mainDepartmentId,
            steps: JSON.stringify(steps),
            current_step: 1,
            expires_at: new Date(now.getTime() + rule.expireDays * DAY_MS),
            live_key: liveKey,
          },
          { transaction },
        )
      ).get();
    } catch (err) {
      if (err instanceof UniqueConstraintError) throw duplicate('同样的申请已在审批中，请勿重复提交');
      throw err;
    }
    await ApprovalApprover.bulkCreate(
      approvers.flatMap((ids, i) => ids.map((userId) => ({ request_id: created.id, step_no: i + 1, user_id: userId }))),
      { transaction },
    );
    await audit(
      sequelize,
      input.requester.actor,
      {
        action: 'approval.request',
        entity: 'approval',
        entityId: created.id,
        summary: `提交${APPROVAL_TYPES[input.type]}审批：${created.title}`,
        diff: { type: input.type, reason: input.reason, steps: steps.map((s, i) => ({ ...s, approverIds: approvers[i] })) },
      },
      { transaction },
    );
    await notifyApprovers(sequelize, created, approvers[0]!, await this.highlightOf(handler, subject), transaction);
    this.notifiedAfterCommit(transaction);
    return created.id;
  }

  private async highlightOf(handler: ApprovalTypeHandler, subject: unknown) {
    return (await handler.describe(this.deps.sequelize, subject)).find((r) => r.tone === 'warn');
  }

  /** The requester as a caller today (their roles and scope now); `actor` is who acts for them (the approver). */
  private async requesterOf(row: ApprovalRequestRow, actor?: Actor): Promise<Caller> {
    const { sequelize } = this.deps;
    const [person] = await employeesByIds(sequelize, [row.requester_user_id]);
    return {
      access: await loadAccess(sequelize, row.requester_user_id),
      actor: actor ?? { userId: row.requester_user_id, label: person?.wecom_userid ?? String(row.requester_user_id) },
      mainDepartmentId: person?.main_department_id ?? null,
    };
  }

  /**
   * Ends pending requests past their expiry (all of them, or of these ids): 已过期, audited as the
   * system, the requester told. Each in its own transaction, guarded by the status, so two
   * instances never expire one twice.
   */
  async expireDue(ids?: readonly number[]): Promise<number> {
    const { sequelize } = this.deps;
    const { ApprovalRequest } = approvalModels(sequelize);
    const now = this.now();
    const due = await ApprovalRequest.findAll({
      where: { status: 'pending', expires_at: { [Op.lte]: now }, ...(ids ? { id: { [Op.in]: [...ids] } } : {}) },
      order: [['id', 'ASC']],
      limit: SWEEP_BATCH,
    });
    let expired = 0;
    for (const model of due) {
      const row = model.get();
      const deadline = businessDateTime(new Date(row.expires_at));
      const note = `审批期限（${deadline}）前无人审批，已自动过期`;
      await this.transaction(async (transaction) => {
        const [moved] = await ApprovalRequest.update(
          { status: 'expired', decided_at: now, live_key: null, outcome_note: note },
          { where: { id: row.id, status: 'pending' }, transaction },
        );
        if (!moved) return;
        expired++;
        await audit(
          sequelize,
          SYSTEM_ACTOR,
          { action: 'approval.expire', entity: 'approval', entityId: row.id, summary: `${APPROVAL_TYPES[row.type]}审批过期：${row.title}` },
          { transaction },
        );
        await notifyRequester(sequelize, row, 'expired', note, transaction);
        this.notifiedAfterCommit(transaction);
      });
    }
    return expired;
  }

  /** The request, if the caller may see it: its requester, any of its approvers, or whoever reads the audit log (合规). */
  private async visibleRequest(access: Access, id: number, transaction?: Transaction): Promise<{ row: ApprovalRequestRow; approvers: Map<number, number[]> }> {
    const { ApprovalRequest, ApprovalApprover } = approvalModels(this.deps.sequelize);
    const row = (await ApprovalRequest.findByPk(id, { transaction, ...(transaction ? { lock: transaction.LOCK.UPDATE } : {}) }))?.get();
    const approvers = new Map<number, number[]>();
    if (row) {
      for (const a of await ApprovalApprover.findAll({ where: { request_id: id }, order: [['user_id', 'ASC']], transaction })) {
        const { step_no: step, user_id: user } = a.get();
        approvers.set(step, [...(approvers.get(step) ?? []), user]);
      }
    }
    const involved = row && (row.requester_user_id === access.userId || [...approvers.values()].some((ids) => ids.includes(access.userId)));
    if (!row || (!involved && !access.permissions.has('audit.read'))) throw notFound('审批不存在或你无权查看');
    return { row, approvers };
  }

  /** `GET /api/approvals/:id`: the request with its draft described, its steps and decisions, and whether its draft still holds. */
  async get(access: Access, id: number): Promise<ApprovalView> {
    const { sequelize } = this.deps;
    await this.expireDue([id]);
    const { row, approvers } = await this.visibleRequest(access, id);
    const handler = this.registry.get(row.type);
    const subject = handler.parse(JSON.parse(row.subject));
    const decisions = (await approvalModels(sequelize).ApprovalDecision.findAll({ where: { request_id: id }, order: [['id', 'ASC']] })).map((d) => d.get());
    const names = await namesById(sequelize, 'users', [row.requester_user_id, ...[...approvers.values()].flat()]);
    const steps: ApprovalStepView[] = (JSON.parse(row.steps) as RequestStep[]).map((s, i) => {
      const no = i + 1;
      const mine = decisions.filter((d) => d.step_no === no);
      const state: ApprovalStepView['state'] = mine.some((d) => d.decision === 'rejected')
        ? 'rejected'
        : no < row.current_step || (no === row.current_step && row.status === 'approved')
          ? 'done'
          : no === row.current_step && row.status === 'pending'
            ? 'current'
            : 'waiting';
      return {
        no,
        name: s.name,
        mode: s.mode,
        state,
        approvers: (approvers.get(no) ?? []).map((uid) => ({ id: uid, name: names.get(uid) ?? '' })),
        decisions: mine.map((d) => ({
          approver: { id: d.approver_user_id, name: names.get(d.approver_user_id) ?? '' },
          decision: d.decision,
          comment: d.comment,
          at: iso(d.created_at),
        })),
      };
    });
    const pending = row.status === 'pending';
    const decidedHere = decisions.some((d) => d.step_no === row.current_step && d.approver_user_id === access.userId);
    let check: ApprovalView['check'] = { ok: true };
    if (pending) {
      const requester = await this.requesterOf(row);
      try {
        await sequelize.transaction((transaction) => handler.validate({ sequelize, transaction, requester }, subject));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        check = { ok: false, message: refusalText(err) };
      }
    }
    return {
      ...this.listItem(row, names, access.userId),
      subject: await handler.describe(sequelize, subject),
      steps,
      canDecide: pending && row.requester_user_id !== access.userId && (approvers.get(row.current_step) ?? []).includes(access.userId) && !decidedHere,
      canWithdraw: pending && row.requester_user_id === access.userId,
      check,
      outcomeNote: row.outcome_note,
      result:
        row.result_entity && row.result_id !== null ? { entity: row.result_entity, id: row.result_id, path: handler.resultPath(subject, row.result_id) } : null,
    };
  }

  private listItem(row: ApprovalRequestRow, names: Map<number, string>, viewer: number): ApprovalListItem {
    return {
      id: row.id,
      type: row.type,
      typeLabel: APPROVAL_TYPES[row.type],
      status: row.status,
      title: row.title,
      reason: row.reason,
      requester: { id: row.requester_user_id, name: names.get(row.requester_user_id) ?? '' },
      currentStep: row.current_step,
      stepCount: (JSON.parse(row.steps) as RequestStep[]).length,
      createdAt: iso(row.created_at),
      expiresAt: iso(row.expires_at),
      decidedAt: isoOrNull(row.decided_at),
      download: this.downloadOf(row, viewer),
    };
  }

  /** The file an approved request lets its requester (and only them) download, while it may. */
  private downloadOf(row: ApprovalRequestRow, viewer: number): ApprovalListItem['download'] {
    const handler = this.registry.get(row.type);
    if (row.status !== 'approved' || !row.decided_at || viewer !== row.requester_user_id || !handler.download) return null;
    const link = handler.download(handler.parse(JSON.parse(row.subject)), { id: row.id, decidedAt: new Date(row.decided_at) });
    return link && { path: link.path, until: iso(link.until), expired: link.until.getTime() <= this.now().getTime() };
  }

  /**
   * A request's stored draft, for what its type does after approval (an export's download): the
   * request as the caller may see it (else 404), its state, its requester and when it was decided.
   */
  async draftOf(access: Access, id: number): Promise<{ row: ApprovalRequestRow; subject: unknown }> {
    const { row } = await this.visibleRequest(access, id);
    return { row, subject: this.registry.get(row.type).parse(JSON.parse(row.subject)) };
  }

  /**
   * `GET /api/approvals`: what waits for the caller's decision (pending, at a step they approve,
   * not yet decided by them, never their own); with `status`, the requests they approve (any
   * step) in that state; with `mine`, what they asked; with `all`, every request (合规). Newest first.
   */
  async list(access: Access, query: ApprovalListQuery): Promise<PageOf<ApprovalListItem>> {
    const { sequelize } = this.deps;
    await this.expireDue();
    const me = access.userId;
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.all) {
      // Every request: only the status and type narrow it.
    } else if (query.mine) {
      where.push('r.requester_user_id = ?');
      params.push(me);
    } else if (query.status) {
      where.push('EXISTS (SELECT 1 FROM approval_approvers a WHERE a.request_id = r.id AND a.user_id = ?)');
      params.push(me);
    } else {
      where.push(
        `r.status = 'pending' AND r.requester_user_id <> ?
         AND EXISTS (SELECT 1 FROM approval_approvers a WHERE a.request_id = r.id AND a.step_no = r.current_step AND a.user_id = ?)
         AND NOT EXISTS (SELECT 1 FROM approval_decisions d WHERE d.request_id = r.id AND d.step_no = r.current_step AND d.approver_user_id = ?)`,
      );
      params.push(me, me, me);
    }
    if (query.status) {
      where.push('r.status = ?');
      params.push(query.status);
    }
    if (query.type) {
      where.push('r.type = ?');
      params.push(query.type);
    }
    const sql = `FROM approval_requests r${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    const { limit, offset } = pageWindow(query);
    const [rows, [count]] = await Promise.all([
      sequelize.query<ApprovalRequestRow>(`SELECT r.* ${sql} ORDER BY r.id DESC LIMIT ? OFFSET ?`, {
        replacements: [...params, limit, offset],
        type: QueryTypes.SELECT,
      }),
      sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n ${sql}`, { replacements: params, type: QueryTypes.SELECT }),
    ]);
    const names = await namesById(
      sequelize,
      'users',
      rows.map((r) => Number(r.requester_user_id)),
    );
    const items = rows.map((r) =>
      this.listItem(
        {
          ...r,
          id: Number(r.id),
          requester_user_id: Number(r.requester_user_id),
          current_step: Number(r.current_step),
          result_id: r.result_id === null ? null : Number(r.result_id),
        },
        names,
        me,
      ),
    );
    return { items, total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
  }

  /** `POST /api/approvals/:id/approve`. */
  approve(caller: Caller, id: number, comment: string | undefined): Promise<ApprovalView> {
    return this.decide(caller, id, 'approved', comment);
  }

  /** `POST /api/approvals/:id/reject`: ends the request, whatever step it is at. */
  reject(caller: Caller, id: number, comment: string): Promise<ApprovalView> {
    return this.decide(caller, id, 'rejected', comment);
  }

  private async decide(caller: Caller, id: number, decision: 'approved' | 'rejected', comment: string | undefined): Promise<ApprovalView> {
    const { sequelize } = this.deps;
    const { ApprovalRequest, ApprovalDecision } = approvalModels(sequelize);
    const me = caller.access.userId;
    await this.expireDue([id]);
    // Read before the transaction: who the requester is today, for applying their draft as theirs.
    const { row: before } = await this.visibleRequest(caller.access, id);
    const requester = await this.requesterOf(before, caller.actor);
    await this.transaction(async (transaction) => {
      const { row, approvers } = await this.visibleRequest(caller.access, id, transaction);
      if (row.status !== 'pending') throw new DomainError('conflict', 'approval_closed', `该申请${APPROVAL_STATUSES[row.status]}，不能再审批`);
      if (row.requester_user_id === me) throw forbidden('不能审批自己提交的申请', 'approval_own_request');
      const assigned = approvers.get(row.current_step) ?? [];
      if (!assigned.includes(me)) throw forbidden('你不是这一步的审批人', 'approval_not_your_step');
      const handler = this.registry.get(row.type);
      if (handler.approverPermission && !caller.access.permissions.has(handler.approverPermission)) throw missingPermission(handler.approverPermission);
      const steps = JSON.parse(row.steps) as RequestStep[];
      try {
        await ApprovalDecision.create({ request_id: id, step_no: row.current_step, approver_user_id: me, decision, comment: comment || null }, { transaction });
      } catch (err) {
        if (err instanceof UniqueConstraintError) throw new DomainError('conflict', 'approval_closed', '你已审批过这一步');
        throw err;
      }
      const myName = (await namesById(sequelize, 'users', [me], transaction)).get(me) ?? caller.actor.label;
      await audit(
        sequelize,
        caller.actor,
        {
          action: decision === 'approved' ? 'approval.approve' : 'approval.reject',
          entity: 'approval',
          entityId: id,
          summary: `${decision === 'approved' ? '同意' : '驳回'}${APPROVAL_TYPES[row.type]}审批（第 ${row.current_step} 步「${steps[row.current_step - 1]!.name}」）：${row.title}${comment ? `；意见：${comment}` : ''}`,
          diff: { step: row.current_step, decision, comment: comment ?? null },
        },
        { transaction },
      );
      const now = this.now();
      if (decision === 'rejected') {
        await ApprovalRequest.update({ status: 'rejected', decided_at: now, live_key: null }, { where: { id }, transaction });
        await notifyRequester(sequelize, row, 'rejected', `${myName} 驳回：${comment}`, transaction);
        this.notifiedAfterCommit(transaction);
        return;
      }
      if (!(await this.stepPassed(row, assigned, steps[row.current_step - 1]!, transaction))) return;
      if (row.current_step < steps.length) {
        const next = { ...row, current_step: row.current_step + 1 };
        await ApprovalRequest.update({ current_step: next.current_step }, { where: { id }, transaction });
        const subject = handler.parse(JSON.parse(row.subject));
        await notifyApprovers(sequelize, next, approvers.get(next.current_step) ?? [], await this.highlightOf(handler, subject), transaction);
        this.notifiedAfterCommit(transaction);
        return;
      }
      const subject = handler.parse(JSON.parse(row.subject));
      let applied;
      try {
        applied = await handler.apply({ sequelize, transaction, requester, approvalId: id }, subject);
      } catch (err) {
        if (err instanceof DomainError && STALE_KINDS.has(err.kind))
          throw new DomainError('conflict', 'approval_stale', `申请已不成立，不能批准：${refusalText(err)}`, { reason: err.code });
        throw err;
      }
      await ApprovalRequest.update(
        { status: 'approved', decided_at: now, live_key: null, result_entity: applied.entity, result_id: applied.id },
        { where: { id }, transaction },
      );
      await notifyRequester(sequelize, row, 'approved', `${myName} 同意${comment ? `：${comment}` : ''}；已生效`, transaction);
      this.notifiedAfterCommit(transaction);
    });
    return this.get(caller.access, id);
  }

  /** Any one approval passes an any-of step; an all-of step needs every approver still active. */
  private async stepPassed(row: ApprovalRequestRow, assigned: number[], step: RequestStep, transaction: Transaction): Promise<boolean> {
    if (step.mode === 'any') return true;
    const { sequelize } = this.deps;
    const active = (await employeesByIds(sequelize, assigned, transaction)).filter((p) => p.status === 'active').map((p) => Number(p.id));
    const approved = new Set(
      (
        await approvalModels(sequelize).ApprovalDecision.findAll({
          where: { request_id: row.id, step_no: row.current_step, decision: 'approved' },
          transaction,
        })
      ).map((d) => d.get().approver_user_id),
    );
    return active.every((uid) => approved.has(uid));
  }

  /** `POST /api/approvals/:id/withdraw`: the requester takes back a pending request; nothing of it ever took effect. */
  async withdraw(caller: Caller, id: number): Promise<ApprovalView> {
    const { sequelize } = this.deps;
    await this.expireDue([id]);
    await this.transaction(async (transaction) => {
      const { row, approvers } = await this.visibleRequest(caller.access, id, transaction);
      if (row.requester_user_id !== caller.access.userId) throw forbidden('只有申请人可以撤回');
      if (row.status !== 'pending') throw new DomainError('conflict', 'approval_closed', `该申请${APPROVAL_STATUSES[row.status]}，不能撤回`);
      await approvalModels(sequelize).ApprovalRequest.update(
        { status: 'withdrawn', decided_at: this.now(), live_key: null },
        { where: { id, status: 'pending' }, transaction },
      );
      await audit(
        sequelize,
        caller.actor,
        { action: 'approval.withdraw', entity: 'approval', entityId: id, summary: `撤回${APPROVAL_TYPES[row.type]}审批：${row.title}` },
        { transaction },
      );
      // The approvers now waiting were sent 待你审批: they hear it is gone rather than open a closed request.
      await notifyWithdrawn(sequelize, row, approvers.get(row.current_step) ?? [], transaction);
      this.notifiedAfterCommit(transaction);
    });
    return this.get(caller.access, id);
  }

  listRules() {
    return listRules(this.deps.sequelize, this.registry);
  }

  saveRule(actor: Actor, type: ApprovalType, input: ApprovalRuleInput) {
    if (!this.registry.has(type)) throw notFound('没有这种审批类型');
    return saveRule(this.deps.sequelize, this.registry, actor, type, input);
  }
}
