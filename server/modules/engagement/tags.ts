/**
 * Corp tags (企业客户标签) and the tags on a contact. Admins manage groups and tags through
 * `add_corp_tag` / `edit_corp_tag` / `del_corp_tag` (92117); an app may edit or delete only the
 * tags it created itself (the console's come back 48002 — an assumption, see the simulator).
 * A rep tags a contact through `mark_tag` (92118) as the follower doing it. WeCom sends no
 * callback for changes made through the API (96361), so the mirror is written here, and a tag a
 * rep changes in the WeCom client arrives as `edit_external_contact`, which is only mirrored —
 * nothing is written back, so no change goes round in a loop.
 */
// Raw SQL on other modules' tables, on purpose: engagement edits corp tags through WeCom and reads the
// mirror's tag and relation tables set-based (the tag list, who has which tag); the mirror keeps writing
// them.
import { QueryTypes, type Sequelize } from 'sequelize';
import { EXCLUSIVE_TAG_GROUPS, type CorpTagGroupView } from '@shared/engagement';
import { sqlList } from '../../db/dialect';
import { forbidden, invalidField, notFound, validationFailed } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { WecomTransportError } from '../../wecom/errors';
import { audit, type Actor } from '../audit/service';
import { contactsOfCustomers } from '../matching/service';
import type { FollowChecker } from '../matching/follows';
import { loadVisibleCustomer } from '../customers/service';
import type { Access } from '../roles/access';
import { mirrorContactFromWecom } from '../wecom-mirror/contact-reader';
import { markCorpTagsDeleted, markRelationTags, renameCorpTag, upsertAppCorpTags } from '../wecom-mirror/service';
import { followRelation } from '../wecom-mirror/reads';

interface TagRow {
  id: string;
  group_id: string;
  group_name: string;
  name: string;
  sort_order: number;
  created_by_app: number | boolean;
}

async function liveTags(sequelize: Sequelize, where = '', replacements: unknown[] = []): Promise<TagRow[]> {
  return sequelize.query<TagRow>(
    `SELECT id, group_id, group_name, name, sort_order, created_by_app FROM wecom_corp_tags WHERE deleted_at IS NULL${where} ORDER BY group_name, sort_order DESC, name`,
    { replacements, type: QueryTypes.SELECT },
  );
}

/** The live tags of a corp tag group, by the group's name (客户等级). */
export async function tagsOfGroup(sequelize: Sequelize, groupName: string): Promise<{ id: string; name: string }[]> {
  return (await liveTags(sequelize, ' AND group_name = ?', [groupName])).map((t) => ({ id: t.id, name: t.name }));
}

export async function listCorpTags(sequelize: Sequelize): Promise<CorpTagGroupView[]> {
  const groups = new Map<string, CorpTagGroupView>();
  for (const t of await liveTags(sequelize)) {
    const group = groups.get(t.group_id) ?? { groupId: t.group_id, groupName: t.group_name, editable: true, tags: [] };
    group.tags.push({ id: t.id, name: t.name, editable: Boolean(t.created_by_app) });
    group.editable &&= Boolean(t.created_by_app);
    groups.set(t.group_id, group);
  }
  return [...groups.values()];
}

export async function createCorpTags(
  sequelize: Sequelize,
  wecom: WecomClient,
  actor: Actor,
  input: { groupId?: string; groupName?: string; names: string[] },
): Promise<CorpTagGroupView[]> {
  const { tag_group: group } = await wecom.addCorpTag({
    ...(input.groupId ? { group_id: input.groupId } : { group_name: input.groupName }),
    tag: input.names.map((name) => ({ name })),
  });
  await sequelize.transaction(async (transaction) => {
    await upsertAppCorpTags(sequelize, group, transaction);
    await audit(
      sequelize,
      actor,
      { action: 'corp_tag.create', entity: 'corp_tag', summary: `新建标签：${group.group_name} / ${input.names.join('、')}` },
      { transaction },
    );
  });
  return listCorpTags(sequelize);
}

/** Renames a tag or, given a group id, the group; only what this app created. */
export async function renameTagOrGroup(sequelize: Sequelize, wecom: WecomClient, actor: Actor, id: string, name: string): Promise<CorpTagGroupView[]> {
  await requireEditable(sequelize, id);
  await wecom.editCorpTag({ id, name });
  await sequelize.transaction(async (transaction) => {
    await renameCorpTag(sequelize, id, name, transaction);
    await audit(sequelize, actor, { action: 'corp_tag.rename', entity: 'corp_tag', summary: `标签改名为：${name}`, diff: { id } }, { transaction });
  });
  return listCorpTags(sequelize);
}

export async function deleteTagOrGroup(sequelize: Sequelize, wecom: WecomClient, actor: Actor, id: string): Promise<CorpTagGroupView[]> {
  const isGroup = await requireEditable(sequelize, id);
  await wecom.delCorpTag(isGroup ? { group_id: [id] } : { tag_id: [id] });
  await sequelize.transaction(async (transaction) => {
    await markCorpTagsDeleted(sequelize, isGroup ? { tagIds: [], groupIds: [id] } : { tagIds: [id], groupIds: [] }, transaction);
    await audit(
      sequelize,
      actor,
      { action: 'corp_tag.delete', entity: 'corp_tag', summary: `删除${isGroup ? '标签组' : '标签'}`, diff: { id } },
      { transaction },
    );
  });
  return listCorpTags(sequelize);
}

/** Whether `id` names a group (else a tag); refuses what the console created. */
async function requireEditable(sequelize: Sequelize, id: string): Promise<boolean> {
  const tags = await liveTags(sequelize, ' AND (id = ? OR group_id = ?)', [id, id]);
  if (!tags.length) throw notFound('标签不存在');
  if (tags.some((t) => !t.created_by_app)) throw forbidden('这是在企业微信管理后台创建的标签，请在管理后台修改', 'tag_not_editable');
  return tags.some((t) => t.group_id === id);
}

/** Every id names a live corp tag, or a field error on `field`. */
export async function requireTags(sequelize: Sequelize, ids: readonly string[], field: string): Promise<void> {
  if (!ids.length) return;
  const found = new Set((await liveTags(sequelize, ` AND id IN (${sqlList(ids)})`, [...ids])).map((t) => t.id));
  if (ids.some((id) => !found.has(id))) throw invalidField(field, '标签不存在或已被删除，请刷新后重试');
}

export interface TagChange {
  add: string[];
  remove: string[];
}

/**
 * One tag per customer in an exclusive group (EXCLUSIVE_TAG_GROUPS: 客户等级 — a customer is one
 * grade): a change that would leave the relation with two of them is refused (400, in Chinese),
 * whether both are added at once or one is added beside the other already set.
 */
async function requireExclusive(sequelize: Sequelize, externalUserid: string, userid: string, change: TagChange): Promise<void> {
  if (!change.add.length) return;
  const relation = await followRelation(sequelize, externalUserid, userid);
  const current = relation?.tag_ids ? (JSON.parse(relation.tag_ids) as string[]) : [];
  const after = [...new Set([...current.filter((id) => !change.remove.includes(id)), ...change.add])];
  if (!after.length) return;
  const tags = await liveTags(sequelize, ` AND id IN (${sqlList(after)})`, after);
  for (const group of EXCLUSIVE_TAG_GROUPS) {
    const held = tags.filter((t) => t.group_name === group);
    if (held.length > 1)
      throw validationFailed(`「${group}」只能选一个：${held.map((t) => `「${t.name}」`).join('和')}不能同时设置，请先去掉原来的`, [
        { field: 'add', message: `「${group}」只能选一个` },
      ]);
  }
}

/** Tags the contact as `userid` (who must follow it) in WeCom, then in the mirror; the relation's tag ids after. */
export async function markContactTags(sequelize: Sequelize, wecom: WecomClient, externalUserid: string, userid: string, change: TagChange): Promise<string[]> {
  await requireTags(sequelize, change.add, 'add');
  await requireExclusive(sequelize, externalUserid, userid, change);
  try {
    await wecom.markTag({ userid, external_userid: externalUserid, add_tag: change.add, remove_tag: change.remove });
  } catch (err) {
    // No answer (a timeout, a gateway's 5xx): WeCom may well have tagged the contact. Whether it did
    // is read back, so the mirror says what WeCom says either way.
    if (!(err instanceof WecomTransportError)) throw err;
    const tagIds = await tagsIfLanded(sequelize, wecom, externalUserid, userid, change);
    if (!tagIds) throw err;
    return tagIds;
  }
  return sequelize.transaction((transaction) => markRelationTags(sequelize, externalUserid, userid, change, transaction));
}

/**
 * After a `mark_tag` whose answer was lost: the contact read from WeCom into the mirror, and the
 * relation's tag ids when the change is in them (null when it did not land, or WeCom could not be read).
 */
async function tagsIfLanded(sequelize: Sequelize, wecom: WecomClient, externalUserid: string, userid: string, change: TagChange): Promise<string[] | null> {
  const read = await mirrorContactFromWecom(sequelize, wecom, externalUserid).catch(() => false);
  if (!read) return null;
  const row = await followRelation(sequelize, externalUserid, userid);
  const tagIds = row?.tag_ids ? (JSON.parse(row.tag_ids) as string[]) : [];
  const landed = change.add.every((id) => tagIds.includes(id)) && change.remove.every((id) => !tagIds.includes(id));
  return landed ? tagIds : null;
}

/** From the sidebar: the rep tags the contact they are chatting with, as its follower. */
export async function markTagsAsFollower(
  deps: { sequelize: Sequelize; wecom: WecomClient; follows: FollowChecker },
  caller: { wecomUserid: string },
  externalUserid: string,
  change: TagChange,
): Promise<{ tagIds: string[] }> {
  const relation = await deps.follows.require(caller.wecomUserid, externalUserid);
  if (relation.deletedAt) throw forbidden('你已不再跟进该客户，不能修改标签');
  return { tagIds: await markContactTags(deps.sequelize, deps.wecom, externalUserid, caller.wecomUserid, change) };
}

/**
 * From the customer page: tags on the customer's WeCom contacts — through the caller's own
 * relation where they follow one, else the owner's (a manager tagging for the team).
 */
export async function markCustomerTags(
  deps: { sequelize: Sequelize; wecom: WecomClient },
  caller: { access: Access; wecomUserid: string | null },
  customerId: number,
  change: TagChange,
): Promise<{ tagIds: string[] }> {
  const { sequelize } = deps;
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const contacts = (await contactsOfCustomers(sequelize, [customerId])).map((c) => c.externalUserid);
  const relations = contacts.length
    ? await sequelize.query<{ external_userid: string; userid: string; owner: number }>(
        `SELECT r.external_userid, r.userid, CASE WHEN u.id = ? THEN 1 ELSE 0 END AS owner
           FROM wecom_follow_relations r LEFT JOIN users u ON u.wecom_userid = r.userid
          WHERE r.external_userid IN (${sqlList(contacts)}) AND r.deleted_at IS NULL`,
        { replacements: [customer.owner_user_id, ...contacts], type: QueryTypes.SELECT },
      )
    : [];
  const relation = relations.find((r) => r.userid === caller.wecomUserid) ?? relations.find((r) => Number(r.owner) === 1);
  if (!relation) throw forbidden('你和客户负责人都没有添加该客户为企业微信联系人，无法打标签', 'no_follow_relation');
  return { tagIds: await markContactTags(sequelize, deps.wecom, relation.external_userid, relation.userid, change) };
}

/** The tags a customer's contacts carry (on live relations), for the customer page. */
export async function tagsOfCustomer(sequelize: Sequelize, access: Access, customerId: number): Promise<{ id: string; name: string }[]> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const contacts = (await contactsOfCustomers(sequelize, [customerId])).map((c) => c.externalUserid);
  if (!contacts.length) return [];
  const rows = await sequelize.query<{ tag_ids: string | null }>(
    `SELECT tag_ids FROM wecom_follow_relations WHERE external_userid IN (${sqlList(contacts)}) AND deleted_at IS NULL`,
    { replacements: contacts, type: QueryTypes.SELECT },
  );
  const ids = [...new Set(rows.flatMap((r) => JSON.parse(r.tag_ids ?? '[]') as string[]))];
  if (!ids.length) return [];
  return (await liveTags(sequelize, ` AND id IN (${sqlList(ids)})`, ids)).map((t) => ({ id: t.id, name: t.name }));
}
