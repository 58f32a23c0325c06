/**
 * The local mirror of WeCom's 客户联系 data: external contacts, who follows them (with remark,
 * mobiles, tags, add way, state), corp tags and group chats. Written by callbacks and the full
 * external-contact sync, and by the app's own WeCom writes (tags, remarks), which WeCom does not
 * echo back as callbacks (96361); read by matching and the sidebar.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { sqlList, updateRows, upsertRow, upsertRows } from '../../db/dialect';
import type { CorpTagGroup, FollowInfo, WecomExternalContact, WecomFollowUser, WecomGroupChat } from '../../wecom/types';

/** `transferred`: 客户继承 moved the relation to a colleague (del_external_contact, Source DELETE_BY_TRANSFER). */
export type RelationDeleteReason = 'deleted_by_employee' | 'deleted_by_customer' | 'transferred' | 'gone';

const seconds = (s: number | undefined) => (s ? new Date(s * 1000) : null);

export async function upsertExternalContact(sequelize: Sequelize, c: WecomExternalContact, transaction: Transaction): Promise<void> {
  await upsertExternalContacts(sequelize, [c], transaction);
}

/** Many contacts in one statement (a contact listed twice is written once). */
export async function upsertExternalContacts(sequelize: Sequelize, contacts: readonly WecomExternalContact[], transaction: Transaction): Promise<void> {
  const now = new Date();
  const unique = new Map(contacts.map((c) => [c.external_userid, c]));
  await upsertRows(
    sequelize,
    'wecom_external_contacts',
    [...unique.values()].map((c) => ({
      external_userid: c.external_userid,
      name: c.name,
      type: c.type,
      unionid: c.unionid ?? null,
      corp_name: c.corp_name ?? null,
      corp_full_name: c.corp_full_name ?? null,
      position: c.position ?? null,
      avatar: c.avatar || null,
      gender: c.gender ?? null,
      created_at: now,
      updated_at: now,
    })),
    ['external_userid'],
    ['name', 'type', 'unionid', 'corp_name', 'corp_full_name', 'position', 'avatar', 'gender', 'updated_at'],
    { transaction },
  );
}

/** A follow relation as either API shape gives it (`externalcontact/get` or `batch/get_by_user`). */
export function relationFrom(externalUserid: string, f: WecomFollowUser | FollowInfo) {
  const tagIds = 'tag_id' in f && f.tag_id ? f.tag_id : ((f as WecomFollowUser).tags ?? []).map((t) => t.tag_id).filter(Boolean);
  return {
    external_userid: externalUserid,
    userid: f.userid,
    remark: f.remark || null,
    description: f.description || null,
    remark_corp_name: f.remark_corp_name || null,
    remark_mobiles: JSON.stringify(f.remark_mobiles ?? []),
    tag_ids: JSON.stringify(tagIds),
    add_way: f.add_way ?? null,
    state: f.state || null,
    oper_userid: f.oper_userid ?? null,
    added_at: seconds(f.createtime),
  };
}

/** What WeCom says of a follow relation (the employee's remark, tags, how they added the contact), as `wecom_follow_relations` keeps it. */
export const RELATION_FIELDS = ['remark', 'description', 'remark_corp_name', 'remark_mobiles', 'tag_ids', 'add_way', 'state'] as const;

/** Many relations in one statement; each comes back to life if it was deleted. */
export async function upsertFollowRelations(
  sequelize: Sequelize,
  relations: readonly ReturnType<typeof relationFrom>[],
  transaction: Transaction,
): Promise<void> {
  const now = new Date();
  await upsertRows(
    sequelize,
    'wecom_follow_relations',
    relations.map((relation) => ({ ...relation, deleted_at: null, delete_reason: null, created_at: now, updated_at: now })),
    ['external_userid', 'userid'],
    [...RELATION_FIELDS, 'oper_userid', 'added_at', 'deleted_at', 'delete_reason', 'updated_at'],
    { transaction },
  );
  await writeRelationTags(
    sequelize,
    relations.map((r) => ({ externalUserid: r.external_userid, userid: r.userid, tagIds: JSON.parse(r.tag_ids) as string[] })),
    transaction,
  );
}

/** Pairs per statement of writeRelationTags: (2 + tags) parameters a pair, far below SQLite's limit. */
const RELATION_TAG_PAIRS_PER_STATEMENT = 500;

const key = (externalUserid: string, userid: string) => JSON.stringify([externalUserid, userid]);

/**
 * `wecom_follow_relation_tags` (0039) made to match these relations' tags: the one writer of it,
 * called wherever `tag_ids` is written, in the same transaction. It reads what the rows say and
 * changes only the difference, so re-applying an unchanged relation (the event worker does, for
 * every follower of a contact it re-reads) costs one indexed read and no write.
 */
async function writeRelationTags(
  sequelize: Sequelize,
  relations: readonly { externalUserid: string; userid: string; tagIds: readonly string[] }[],
  transaction: Transaction,
): Promise<void> {
  for (let i = 0; i < relations.length; i += RELATION_TAG_PAIRS_PER_STATEMENT) {
    const slice = relations.slice(i, i + RELATION_TAG_PAIRS_PER_STATEMENT);
    // By the contacts, the key's first column: an IN list of single values is cheap to plan,
    // while an OR of 100 (contact, employee) pairs cost MariaDB ~10 ms a statement to plan and
    // made it the sync's costliest (measured); their other followers' rows are dropped here.
    const contacts = [...new Set(slice.map((r) => r.externalUserid))];
    const listed = new Set(slice.map((r) => key(r.externalUserid, r.userid)));
    const stored = (
      await sequelize.query<{ external_userid: string; userid: string; tag_id: string }>(
        `SELECT external_userid, userid, tag_id FROM wecom_follow_relation_tags WHERE external_userid IN (${sqlList(contacts)})`,
        { replacements: contacts, type: QueryTypes.SELECT, transaction },
      )
    ).filter((row) => listed.has(key(row.external_userid, row.userid)));
    // A pair listed twice: its last tags win, as the relation's row does. Tag ids compare without
    // case, as the MySQL key does (utf8mb4_unicode_ci, like wecom_corp_tags.id): two ids that differ
    // only in case would be one row there, and inserting the second would fail the whole write.
    const byCase = (tags: Iterable<string>) => new Map([...tags].map((tag) => [tag.toLowerCase(), tag]));
    const wanted = new Map(slice.map((r) => [key(r.externalUserid, r.userid), byCase(r.tagIds)]));
    const present = new Map<string, Set<string>>();
    for (const row of stored) {
      const k = key(row.external_userid, row.userid);
      if (!present.has(k)) present.set(k, new Set());
      present.get(k)!.add(row.tag_id.toLowerCase());
    }
    const removed = stored.filter((row) => !wanted.get(key(row.external_userid, row.userid))?.has(row.tag_id.toLowerCase()));
    const added = [...wanted].flatMap(([k, tags]) => {
      const [externalUserid, userid] = JSON.parse(k) as [string, string];
      return [...tags].filter(([folded]) => !present.get(k)?.has(folded)).map(([, tag]) => [externalUserid, userid, tag]);
    });
    if (removed.length) {
      // The contacts' IN list plans the DELETE as ranges of the key (and keeps its locks on them).
      const removedContacts = [...new Set(removed.map((row) => row.external_userid))];
      await sequelize.query(
        `DELETE FROM wecom_follow_relation_tags WHERE external_userid IN (${sqlList(removedContacts)})
            AND (${removed.map(() => '(userid = ? AND tag_id = ? AND external_userid = ?)').join(' OR ')})`,
        { replacements: [...removedContacts, ...removed.flatMap((row) => [row.userid, row.tag_id, row.external_userid])], transaction },
      );
    }
    if (added.length)
      await sequelize.query(`INSERT INTO wecom_follow_relation_tags (external_userid, userid, tag_id) VALUES ${added.map(() => '(?, ?, ?)').join(', ')}`, {
        replacements: added.flat(),
        transaction,
      });
  }
}

/** An employee's userid renamed in WeCom: their follow relations go with it. */
export async function renameFollower(sequelize: Sequelize, from: string, to: string, transaction: Transaction): Promise<void> {
  await sequelize.query('UPDATE wecom_follow_relations SET userid = ? WHERE userid = ?', { replacements: [to, from], transaction });
  await sequelize.query('UPDATE wecom_follow_relation_tags SET userid = ? WHERE userid = ?', { replacements: [to, from], transaction });
}

/**
 * Soft-deletes one relation; history stays (server/README.md#data-model). Whether it was live until now: a
 * relation ends once, however often WeCom tells us.
 */
export async function markRelationDeleted(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  reason: RelationDeleteReason,
  transaction: Transaction,
): Promise<boolean> {
  const now = new Date();
  const ended = await updateRows(
    sequelize,
    'UPDATE wecom_follow_relations SET deleted_at = ?, delete_reason = ?, updated_at = ? WHERE external_userid = ? AND userid = ? AND deleted_at IS NULL',
    [now, reason, now, externalUserid, userid],
    transaction,
  );
  return ended > 0;
}

/** What WeCom said about a takeover that failed (transfer_fail), kept on the relation it names. */
export async function recordTransferFailure(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  reason: string,
  transaction: Transaction,
): Promise<void> {
  await updateRows(
    sequelize,
    'UPDATE wecom_follow_relations SET transfer_fail_reason = ?, updated_at = ? WHERE external_userid = ? AND userid = ?',
    [reason, new Date(), externalUserid, userid],
    transaction,
  );
}

/**
 * Applies `externalcontact/get`: the contact and every follow relation WeCom returns; live
 * relations of this contact that WeCom no longer returns are soft-deleted.
 */
export async function applyExternalContact(
  sequelize: Sequelize,
  contact: WecomExternalContact,
  followUsers: WecomFollowUser[],
  transaction: Transaction,
): Promise<void> {
  await upsertExternalContact(sequelize, contact, transaction);
  // Every follower in one statement (and their tags in one read), not one round trip each; a
  // follower listed twice is written once, as it was last listed.
  const relations = new Map(followUsers.map((f) => [f.userid, relationFrom(contact.external_userid, f)]));
  if (relations.size) await upsertFollowRelations(sequelize, [...relations.values()], transaction);
  const live = followUsers.map((f) => f.userid);
  await sequelize.query(
    `UPDATE wecom_follow_relations SET deleted_at = ?, delete_reason = 'gone', updated_at = ?
      WHERE external_userid = ? AND deleted_at IS NULL${live.length ? ` AND userid NOT IN (${sqlList(live)})` : ''}`,
    { replacements: [new Date(), new Date(), contact.external_userid, ...live], transaction },
  );
}

export async function upsertGroupChat(sequelize: Sequelize, chat: WecomGroupChat, transaction: Transaction): Promise<void> {
  const now = new Date();
  await upsertRow(
    sequelize,
    'wecom_group_chats',
    {
      chat_id: chat.chat_id,
      name: chat.name || null,
      owner: chat.owner,
      notice: chat.notice ?? null,
      members: JSON.stringify(chat.member_list),
      member_count: chat.member_list.length,
      created_time: seconds(chat.create_time),
      dismissed_at: null,
      created_at: now,
      updated_at: now,
    },
    ['chat_id'],
    ['name', 'owner', 'notice', 'members', 'member_count', 'created_time', 'dismissed_at', 'updated_at'],
    { transaction },
  );
}

export async function markGroupChatDismissed(sequelize: Sequelize, chatId: string, transaction: Transaction): Promise<void> {
  await sequelize.query('UPDATE wecom_group_chats SET dismissed_at = ?, updated_at = ? WHERE chat_id = ?', {
    replacements: [new Date(), new Date(), chatId],
    transaction,
  });
}

/** Replaces the corp tag mirror with WeCom's full list; tags no longer listed are soft-deleted. */
export async function replaceCorpTags(sequelize: Sequelize, groups: CorpTagGroup[], transaction: Transaction): Promise<void> {
  const now = new Date();
  const seen: string[] = [];
  for (const g of groups.filter((x) => !x.deleted)) {
    for (const t of g.tag.filter((x) => !x.deleted)) {
      seen.push(t.id);
      await upsertRow(
        sequelize,
        'wecom_corp_tags',
        { id: t.id, group_id: g.group_id, group_name: g.group_name, name: t.name, sort_order: t.order, deleted_at: null, created_at: now, updated_at: now },
        ['id'],
        ['group_id', 'group_name', 'name', 'sort_order', 'deleted_at', 'updated_at'],
        { transaction },
      );
    }
  }
  await sequelize.query(
    `UPDATE wecom_corp_tags SET deleted_at = ?, updated_at = ? WHERE deleted_at IS NULL${seen.length ? ` AND id NOT IN (${sqlList(seen)})` : ''}`,
    { replacements: [now, now, ...seen], transaction },
  );
}

/**
 * Tags this app created (`add_corp_tag`): WeCom sends no callback for its own API changes
 * (96361), so the mirror is written here; `created_by_app` marks the ones the app may edit.
 */
export async function upsertAppCorpTags(sequelize: Sequelize, group: CorpTagGroup, transaction: Transaction): Promise<void> {
  const now = new Date();
  for (const t of group.tag) {
    await upsertRow(
      sequelize,
      'wecom_corp_tags',
      {
        id: t.id,
        group_id: group.group_id,
        group_name: group.group_name,
        name: t.name,
        sort_order: t.order ?? 0,
        created_by_app: true,
        deleted_at: null,
        created_at: now,
        updated_at: now,
      },
      ['id'],
      ['group_id', 'group_name', 'name', 'sort_order', 'created_by_app', 'deleted_at', 'updated_at'],
      { transaction },
    );
  }
}

/** A tag (or, by its group id, a whole group) renamed through `edit_corp_tag`. */
export async function renameCorpTag(sequelize: Sequelize, id: string, name: string, transaction: Transaction): Promise<void> {
  const now = new Date();
  await sequelize.query('UPDATE wecom_corp_tags SET name = ?, updated_at = ? WHERE id = ?', { replacements: [name, now, id], transaction });
  await sequelize.query('UPDATE wecom_corp_tags SET group_name = ?, updated_at = ? WHERE group_id = ?', { replacements: [name, now, id], transaction });
}

/** Tags, or every tag of the groups, deleted through `del_corp_tag`. */
export async function markCorpTagsDeleted(sequelize: Sequelize, ids: { tagIds: string[]; groupIds: string[] }, transaction: Transaction): Promise<void> {
  const now = new Date();
  if (ids.tagIds.length)
    await sequelize.query(`UPDATE wecom_corp_tags SET deleted_at = ?, updated_at = ? WHERE id IN (${sqlList(ids.tagIds)})`, {
      replacements: [now, now, ...ids.tagIds],
      transaction,
    });
  if (ids.groupIds.length)
    await sequelize.query(`UPDATE wecom_corp_tags SET deleted_at = ?, updated_at = ? WHERE group_id IN (${sqlList(ids.groupIds)})`, {
      replacements: [now, now, ...ids.groupIds],
      transaction,
    });
}

/** A relation's tags after `mark_tag` (no callback follows it, 96361). */
export async function markRelationTags(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  change: { add: readonly string[]; remove: readonly string[] },
  transaction: Transaction,
): Promise<string[]> {
  const [row] = await sequelize.query<{ tag_ids: string | null }>('SELECT tag_ids FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?', {
    replacements: [externalUserid, userid],
    type: QueryTypes.SELECT,
    transaction,
  });
  const current = row?.tag_ids ? (JSON.parse(row.tag_ids) as string[]) : [];
  const next = [...new Set([...current, ...change.add])].filter((id) => !change.remove.includes(id));
  await sequelize.query('UPDATE wecom_follow_relations SET tag_ids = ?, updated_at = ? WHERE external_userid = ? AND userid = ?', {
    replacements: [JSON.stringify(next), new Date(), externalUserid, userid],
    transaction,
  });
  // Only a relation the mirror has carries tag rows (the UPDATE above changed nothing otherwise).
  if (row) await writeRelationTags(sequelize, [{ externalUserid, userid, tagIds: next }], transaction);
  return next;
}

/** A relation's remark mobiles after `externalcontact/remark` (no callback follows it either). */
export async function setRelationRemarkMobiles(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  mobiles: readonly string[],
  transaction: Transaction,
): Promise<void> {
  await sequelize.query('UPDATE wecom_follow_relations SET remark_mobiles = ?, updated_at = ? WHERE external_userid = ? AND userid = ?', {
    replacements: [JSON.stringify(mobiles), new Date(), externalUserid, userid],
    transaction,
  });
}
