/**
 * Who approves a type: its rule (an admin's row in `approval_rules`, else the handler's default)
 * and the approvers each step resolves to for a requester — their department leader chain, the
 * holders of a role, named people; active ones only, never the requester, and only those holding
 * the type's approver permission.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { APPROVAL_TYPES, type ApprovalRuleStep, type ApprovalRuleView, type ApprovalType, type ApproverSource } from '@shared/approval-labels';
import type { ApprovalRuleInput } from '@shared/approvals';
import type { Permission } from '@shared/permissions';
import { iso, namesById } from '../../db/lookup';
import { DomainError, invalidField } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { employeesByIds } from '../org/reads';
import { leadersAbove } from '../org/service';
import { loadAccess } from '../roles/access';
import { holdersOfRole, listRoles } from '../roles/service';
import { approvalModels } from './models';
import type { ApprovalRegistry } from './types';

export interface EffectiveRule extends ApprovalRuleInput {
  customised: boolean;
  updatedAt: Date | null;
}

/** The rule a type runs on now. */
export async function ruleOf(sequelize: Sequelize, registry: ApprovalRegistry, type: ApprovalType, transaction?: Transaction): Promise<EffectiveRule> {
  const row = (await approvalModels(sequelize).ApprovalRule.findOne({ where: { type }, transaction }))?.get();
  if (!row) return { ...registry.get(type).defaultRule, customised: false, updatedAt: null };
  return { steps: JSON.parse(row.steps) as ApprovalRuleStep[], expireDays: row.expire_days, customised: true, updatedAt: row.updated_at };
}

/** 管理 → 审批规则: every type's rule, with the names of the people and roles it refers to. */
export async function listRules(
  sequelize: Sequelize,
  registry: ApprovalRegistry,
): Promise<{ items: ApprovalRuleView[]; roles: { code: string; name: string }[] }> {
  const roles = (await listRoles(sequelize)).map((r) => ({ code: r.code, name: r.name }));
  const roleNames = Object.fromEntries(roles.map((r) => [r.code, r.name]));
  const items: ApprovalRuleView[] = [];
  for (const type of registry.types()) {
    const rule = await ruleOf(sequelize, registry, type);
    const userIds = rule.steps.flatMap((s) => s.approvers.flatMap((a) => (a.kind === 'users' ? a.userIds : [])));
    const users = await namesById(sequelize, 'users', userIds);
    items.push({
      type,
      typeLabel: APPROVAL_TYPES[type],
      steps: rule.steps,
      expireDays: rule.expireDays,
      customised: rule.customised,
      names: { users: Object.fromEntries(users), roles: roleNames },
      updatedAt: rule.updatedAt ? iso(rule.updatedAt) : null,
    });
  }
  return { items, roles };
}

/** An admin saves a type's rule (audited with the rule before and after). Roles and people named must exist. */
export async function saveRule(
  sequelize: Sequelize,
  registry: ApprovalRegistry,
  actor: Actor,
  type: ApprovalType,
  input: ApprovalRuleInput,
): Promise<ApprovalRuleView> {
  const roles = new Set((await listRoles(sequelize)).map((r) => r.code));
  for (const [i, step] of input.steps.entries()) {
    for (const [j, source] of step.approvers.entries()) {
      if (source.kind === 'role' && !roles.has(source.role)) throw invalidField(`steps.${i}.approvers.${j}.role`, '角色不存在');
      if (source.kind === 'users') {
        const found = await employeesByIds(sequelize, source.userIds);
        if (found.length !== new Set(source.userIds).size) throw invalidField(`steps.${i}.approvers.${j}.userIds`, '审批人不存在');
      }
    }
  }
  const { ApprovalRule } = approvalModels(sequelize);
  await sequelize.transaction(async (transaction) => {
    const before = await ruleOf(sequelize, registry, type, transaction);
    const row = { steps: JSON.stringify(input.steps), expire_days: input.expireDays, updated_by: actor.userId };
    const [updated] = await ApprovalRule.update(row, { where: { type }, transaction });
    if (!updated) await ApprovalRule.create({ type, ...row }, { transaction });
    await audit(
      sequelize,
      actor,
      {
        action: 'approval.rule',
        entity: 'approval_rule',
        entityId: type,
        summary: `修改「${APPROVAL_TYPES[type]}」审批规则：${input.steps.map((s) => s.name).join(' → ')}，${input.expireDays} 天未审批即过期`,
        diff: { before: { steps: before.steps, expireDays: before.expireDays }, after: input },
      },
      { transaction },
    );
  });
  return (await listRules(sequelize, registry)).items.find((r) => r.type === type)!;
}

/** Active employees among these ids. */
async function activeOnly(sequelize: Sequelize, ids: Iterable<number>, transaction?: Transaction): Promise<number[]> {
  const people = await employeesByIds(sequelize, [...new Set(ids)], transaction);
  return people.filter((p) => p.status === 'active').map((p) => Number(p.id));
}

async function sourceMembers(sequelize: Sequelize, source: ApproverSource, requesterId: number, transaction?: Transaction): Promise<number[]> {
  switch (source.kind) {
    case 'leader':
      return (await leadersAbove(sequelize, requesterId, source.level, transaction)).map((l) => l.id);
    case 'role':
      return holdersOfRole(sequelize, source.role, transaction);
    case 'users':
      return source.userIds;
  }
}

/** What a step's sources say, in Chinese, for the refusal when nobody is found. */
function sourcesText(step: ApprovalRuleStep): string {
  return step.approvers
    .map((a) => (a.kind === 'leader' ? (a.level === 1 ? '部门负责人' : `上 ${a.level} 级部门负责人`) : a.kind === 'role' ? `角色 ${a.role}` : '指定人员'))
    .join('、');
}

/**
 * Each step's approvers for this requester: active, not the requester, holding `permission` when
 * the type asks for one. A step that finds nobody refuses the submission (409 `no_approver`): a
 * request nobody can approve would only wait until it expires.
 */
export async function resolveApprovers(
  sequelize: Sequelize,
  steps: readonly ApprovalRuleStep[],
  requesterId: number,
  permission: Permission | undefined,
  transaction?: Transaction,
): Promise<number[][]> {
  const out: number[][] = [];
  for (const [i, step] of steps.entries()) {
    const candidates: number[] = [];
    for (const source of step.approvers) candidates.push(...(await sourceMembers(sequelize, source, requesterId, transaction)));
    const active = (await activeOnly(sequelize, candidates, transaction)).filter((id) => id !== requesterId);
    const allowed: number[] = [];
    for (const id of active) if (!permission || (await loadAccess(sequelize, id)).permissions.has(permission)) allowed.push(id);
    if (!allowed.length)
      throw new DomainError(
        'conflict',
        'no_approver',
        `审批规则第 ${i + 1} 步「${step.name}」（${sourcesText(step)}）找不到可以审批的人，请联系管理员调整审批规则`,
        { step: i + 1 },
      );
    out.push(allowed.sort((a, b) => a - b));
  }
  return out;
}
