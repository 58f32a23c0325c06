/**
 * Reads of the 客户联系 mirror other modules ask for (who follows whom, whose groups), so the
 * mirror's tables are read through their owner.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { sqlList } from '../../db/dialect';

/** Of `externalUserids`, those `userid` still follows (a live relation). */
export async function followedBy(sequelize: Sequelize, userid: string, externalUserids: readonly string[], transaction?: Transaction): Promise<Set<string>> {
  if (!externalUserids.length) return new Set();
  const rows = await sequelize.query<{ external_userid: string }>(
    `SELECT external_userid FROM wecom_follow_relations WHERE userid = ? AND deleted_at IS NULL AND external_userid IN (${sqlList(externalUserids)})`,
    { replacements: [userid, ...externalUserids], type: QueryTypes.SELECT, transaction },
  );
  return new Set(rows.map((r) => r.external_userid));
}

/** Every contact `userid` follows (live), with the contact's name. */
export async function contactsFollowedBy(sequelize: Sequelize, userid: string, transaction?: Transaction): Promise<{ externalUserid: string; name: string }[]> {
  const rows = await sequelize.query<{ external_userid: string; name: string | null }>(
    `SELECT r.external_userid, x.name FROM wecom_follow_relations r LEFT JOIN wecom_external_contacts x ON x.external_userid = r.external_userid
      WHERE r.userid = ? AND r.deleted_at IS NULL ORDER BY r.id`,
    { replacements: [userid], type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ externalUserid: r.external_userid, name: r.name ?? r.external_userid }));
}

/** The names of these contacts (absent: not mirrored). */
export async function contactNames(sequelize: Sequelize, externalUserids: readonly string[], transaction?: Transaction): Promise<Map<string, string>> {
  if (!externalUserids.length) return new Map();
  const rows = await sequelize.query<{ external_userid: string; name: string }>(
    `SELECT external_userid, name FROM wecom_external_contacts WHERE external_userid IN (${sqlList(externalUserids)})`,
    { replacements: [...externalUserids], type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((r) => [r.external_userid, r.name]));
}

/** Live customer groups `owner` owns. */
export async function groupChatsOwnedBy(sequelize: Sequelize, owner: string, transaction?: Transaction): Promise<{ chatId: string; name: string | null }[]> {
  const rows = await sequelize.query<{ chat_id: string; name: string | null }>(
    'SELECT chat_id, name FROM wecom_group_chats WHERE owner = ? AND dismissed_at IS NULL ORDER BY chat_id',
    { replacements: [owner], type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ chatId: r.chat_id, name: r.name }));
}

/** The names of these customer groups. */
export async function groupChatNames(sequelize: Sequelize, chatIds: readonly string[]): Promise<Map<string, string | null>> {
  if (!chatIds.length) return new Map();
  const rows = await sequelize.query<{ chat_id: string; name: string | null }>(
    `SELECT chat_id, name FROM wecom_group_chats WHERE chat_id IN (${sqlList(chatIds)})`,
    {
      replacements: [...chatIds],
      type: QueryTypes.SELECT,
    },
  );
  return new Map(rows.map((r) => [r.chat_id, r.name]));
}

/** The names of these corp tags that still exist (a deleted tag is absent). */
export async function corpTagNames(sequelize: Sequelize, tagIds: readonly string[]): Promise<Map<string, string>> {
  if (!tagIds.length) return new Map();
  const rows = await sequelize.query<{ id: string; name: string }>(
    `SELECT id, name FROM wecom_corp_tags WHERE id IN (${sqlList(tagIds)}) AND deleted_at IS NULL`,
    {
      replacements: [...tagIds],
      type: QueryTypes.SELECT,
    },
  );
  return new Map(rows.map((t) => [t.id, t.name]));
}

/** A follow relation as mirrored (ended ones too: `deleted_at` set), if WeCom ever told of it. */
export async function followRelation(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  transaction?: Transaction,
): Promise<{ state: string | null; tag_ids: string | null; deleted_at: Date | string | null } | undefined> {
  const [row] = await sequelize.query<{ state: string | null; tag_ids: string | null; deleted_at: Date | string | null }>(
    'SELECT state, tag_ids, deleted_at FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?',
    { replacements: [externalUserid, userid], type: QueryTypes.SELECT, transaction },
  );
  return row;
}
