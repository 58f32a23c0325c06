/**
 * 渠道活码: a 「联系我」 QR code (`add_contact_way`, scene 2 — 92228) for a rep, a team or a
 * campaign. Its `state` (ours, ≤ 30 characters) comes back in the add event of every customer
 * who scans it, and says what the CRM does with them: the source of the lead, whose lead it is
 * (the rep they added, or one fixed owner), the tags it gets, and the welcome message (a
 * template with scope `contact_way`). A deleted code keeps its row, so the customers it brought
 * still name their channel.
 */
import { randomBytes } from 'node:crypto';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import type { ContactWayInput, ContactWayView } from '@shared/engagement';
import { iso, namesById } from '../../db/lookup';
import { invalidField, notFound } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import type { ContactWayRequest } from '../../wecom/types';
import { audit, type Actor } from '../audit/service';
import { assertDictionaryValues } from '../dictionaries/service';
import { engagementModels, type ContactWayRow } from './models';
import { requireTags } from './tags';
import { deleteTemplateOf, saveTemplate } from './welcome';
import { employeesByIds } from '../org/reads';
import { corpTagNames } from '../wecom-mirror/reads';

/** A fresh `state`: short, in WeCom's limit (30), never reused (the column is unique). */
export const newState = () => `cw_${randomBytes(6).toString('hex')}`;

const ids = (json: string) => JSON.parse(json) as number[];
const tagIdsOf = (json: string) => JSON.parse(json) as string[];

export async function listContactWays(sequelize: Sequelize): Promise<ContactWayView[]> {
  const rows = (await engagementModels(sequelize).ContactWay.findAll({ where: { deleted_at: null }, order: [['id', 'DESC']] })).map((r) => r.get());
  return contactWayViews(sequelize, rows);
}

async function contactWayViews(sequelize: Sequelize, rows: ContactWayRow[]): Promise<ContactWayView[]> {
  const userIds = [...new Set(rows.flatMap((r) => [...ids(r.user_ids), ...(r.owner_user_id ? [r.owner_user_id] : [])]))];
  const tagIds = [...new Set(rows.flatMap((r) => tagIdsOf(r.tag_ids)))];
  const [users, tagNames, welcomes] = await Promise.all([
    namesById(sequelize, 'users', userIds),
    corpTagNames(sequelize, tagIds),
    engagementModels(sequelize).WelcomeTemplate.findAll({ where: { scope: 'contact_way', scope_id: { [Op.in]: rows.map((r) => r.id) } } }),
  ]);
  const welcome = new Map(welcomes.map((w) => [w.get().scope_id, w.get().text]));
  const person = (id: number) => ({ id, name: users.get(id) ?? `成员 ${id}` });
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    state: r.state,
    configId: r.config_id,
    qrCode: r.qr_code,
    users: ids(r.user_ids).map(person),
    skipVerify: Boolean(r.skip_verify),
    tags: tagIdsOf(r.tag_ids)
      .filter((id) => tagNames.has(id))
      .map((id) => ({ id, name: tagNames.get(id)! })),
    source: r.source,
    ownerRule: r.owner_rule,
    owner: r.owner_user_id ? person(r.owner_user_id) : null,
    welcomeText: welcome.get(r.id) ?? null,
    createdAt: iso(r.created_at),
  }));
}

/** Active members' WeCom userids, in the order given; a field error for anyone who is not. */
async function membersOf(sequelize: Sequelize, input: ContactWayInput): Promise<string[]> {
  const wanted = [...new Set([...input.userIds, ...(input.ownerRule === 'fixed' && input.ownerUserId ? [input.ownerUserId] : [])])];
  const rows = (await employeesByIds(sequelize, wanted)).filter((r) => r.status === 'active');
  const found = new Map(rows.map((r) => [Number(r.id), r]));
  if (input.userIds.some((id) => !found.has(id))) throw invalidField('userIds', '成员不存在或已离职');
  if (input.ownerRule === 'fixed' && !found.get(input.ownerUserId!)?.main_department_id)
    throw invalidField('ownerUserId', '线索负责人不存在、已离职或没有部门');
  return input.userIds.map((id) => found.get(id)!.wecom_userid);
}

/**
 * The source a code's leads get is a 客户来源 of the dictionary, like any customer's (a code that
 * has since been disabled stays on the code that had it), checked before WeCom makes the code.
 */
function requireSource(sequelize: Sequelize, source: string | null | undefined, previous?: string | null): Promise<void> {
  return assertDictionaryValues(sequelize, [{ field: 'source', type: 'customer_source', value: source, previous }]);
}

function wayRequest(input: ContactWayInput, userids: string[], state: string): ContactWayRequest {
  // 92228: type 1 单人 takes exactly one member; several make a 多人 code (customers added in turn).
  return { type: userids.length === 1 ? 1 : 2, scene: 2, remark: input.name, skip_verify: input.skipVerify, state, user: userids };
}

function rowValues(input: ContactWayInput) {
  return {
    name: input.name,
    user_ids: JSON.stringify(input.userIds),
    skip_verify: input.skipVerify,
    tag_ids: JSON.stringify(input.tagIds),
    source: input.source ?? null,
    owner_rule: input.ownerRule,
    owner_user_id: input.ownerRule === 'fixed' ? (input.ownerUserId ?? null) : null,
  };
}

async function saveWelcome(sequelize: Sequelize, actor: Actor, wayId: number, text: string | null | undefined, transaction: Transaction): Promise<void> {
  if (text) await saveTemplate(sequelize, actor, { scope: 'contact_way', scopeId: wayId, text, enabled: true }, transaction);
  else await deleteTemplateOf(sequelize, 'contact_way', wayId, transaction);
}

export async function createContactWay(sequelize: Sequelize, wecom: WecomClient, actor: Actor, input: ContactWayInput): Promise<ContactWayView> {
  const userids = await membersOf(sequelize, input);
  await requireTags(sequelize, input.tagIds, 'tagIds');
  await requireSource(sequelize, input.source);
  const state = newState();
  const created = await wecom.addContactWay(wayRequest(input, userids, state));
  try {
    const row = await sequelize.transaction(async (transaction) => {
      const way = await engagementModels(sequelize).ContactWay.create(
        { ...rowValues(input), state, config_id: created.config_id, qr_code: created.qr_code ?? null, created_by: actor.userId },
        { transaction },
      );
      await saveWelcome(sequelize, actor, way.get().id, input.welcomeText, transaction);
      await audit(
        sequelize,
        actor,
        { action: 'contact_way.create', entity: 'contact_way', entityId: way.get().id, summary: `新建渠道活码：${input.name}` },
        { transaction },
      );
      return way.get();
    });
    return (await contactWayViews(sequelize, [row]))[0]!;
  } catch (err) {
    // Not recorded here: the code must not live on in WeCom, bringing customers no one attributes.
    await wecom.delContactWay(created.config_id).catch(() => undefined);
    throw err;
  }
}

async function liveWay(sequelize: Sequelize, id: number): Promise<ContactWayRow> {
  const row = (await engagementModels(sequelize).ContactWay.findOne({ where: { id, deleted_at: null } }))?.get();
  if (!row) throw notFound('渠道活码不存在');
  return row;
}

export async function updateContactWay(sequelize: Sequelize, wecom: WecomClient, actor: Actor, id: number, input: ContactWayInput): Promise<ContactWayView> {
  const way = await liveWay(sequelize, id);
  const userids = await membersOf(sequelize, input);
  await requireTags(sequelize, input.tagIds, 'tagIds');
  await requireSource(sequelize, input.source, way.source);
  if (way.config_id) {
    const request = wayRequest(input, userids, way.state);
    // A code's type is fixed when it is made: a 单人 code keeps one member (92228).
    const { contact_way: current } = await wecom.getContactWay(way.config_id);
    if (current.type === 1 && request.user!.length !== 1) throw invalidField('userIds', '单人活码只能有一位成员；需要多位成员请新建活码');
    await wecom.updateContactWay({ config_id: way.config_id, remark: request.remark, skip_verify: request.skip_verify, state: way.state, user: request.user });
  }
  await sequelize.transaction(async (transaction) => {
    await engagementModels(sequelize).ContactWay.update(rowValues(input), { where: { id }, transaction });
    await saveWelcome(sequelize, actor, id, input.welcomeText, transaction);
    await audit(
      sequelize,
      actor,
      { action: 'contact_way.update', entity: 'contact_way', entityId: id, summary: `修改渠道活码：${input.name}` },
      { transaction },
    );
  });
  return (await contactWayViews(sequelize, [await liveWay(sequelize, id)]))[0]!;
}

export async function deleteContactWay(sequelize: Sequelize, wecom: WecomClient, actor: Actor, id: number): Promise<void> {
  const way = await liveWay(sequelize, id);
  if (way.config_id) await wecom.delContactWay(way.config_id);
  await sequelize.transaction(async (transaction) => {
    await engagementModels(sequelize).ContactWay.update({ deleted_at: new Date() }, { where: { id }, transaction });
    await deleteTemplateOf(sequelize, 'contact_way', id, transaction);
    await audit(sequelize, actor, { action: 'contact_way.delete', entity: 'contact_way', entityId: id, summary: `删除渠道活码：${way.name}` }, { transaction });
  });
}

/** The code a `state` names (deleted ones too: their customers keep the channel). */
export async function contactWayOf(sequelize: Sequelize, state: string | null, transaction?: Transaction): Promise<ContactWayRow | null> {
  if (!state) return null;
  return (await engagementModels(sequelize).ContactWay.findOne({ where: { state }, transaction }))?.get() ?? null;
}

/** For matching: what a lead from each of these states gets — its source and, by the code's rule, its owner. */
export async function leadRulesFor(
  sequelize: Sequelize,
  states: readonly string[],
  transaction: Transaction,
): Promise<Map<string, { source: string | null; ownerUserId: number | null }>> {
  if (!states.length) return new Map();
  const rows = (await engagementModels(sequelize).ContactWay.findAll({ where: { state: { [Op.in]: [...states] } }, transaction })).map((r) => r.get());
  return new Map(rows.map((r) => [r.state, { source: r.source, ownerUserId: r.owner_rule === 'fixed' ? r.owner_user_id : null }]));
}
