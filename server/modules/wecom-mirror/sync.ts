/**
 * Full external-contact sync (DESIGN §6.2): the corp tag list; then for every employee with 客户联系
 * permission, `externalcontact/batch/get_by_user` (100 employees per request, cursor, limit 100);
 * contacts and relations are upserted, and live relations of those employees that WeCom no longer
 * returns are soft-deleted; then the customer groups. Idempotent: a second run reports only
 * `unchanged` contacts.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { NO_EXTERNAL_CONTACTS, WecomApiError } from '../../wecom/errors';
import type { BatchGetByUserResponse } from '../../wecom/types';
import type { Actor } from '../audit/service';
import { sqlList } from '../../db/dialect';
import { startSyncRun, SYNC_RETRIES, type StartedSync, type SyncProgress } from '../sync-runs/runner';
import type { ExternalContactHooks } from '../wecom-events/handlers';
import { markGroupChatDismissed, markRelationDeleted, relationFrom, replaceCorpTags, upsertExternalContacts, upsertFollowRelations, upsertGroupChat } from './service';

export interface ExternalSyncDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  hooks: ExternalContactHooks;
  now?: () => number;
}

const USERS_PER_REQUEST = 100;
const PAGE_LIMIT = 100;
const GROUP_CHAT_PAGE = 1000;

export function startExternalContactSync(deps: ExternalSyncDeps, actor: Actor): Promise<StartedSync> {
  return startSyncRun(deps, 'external_contacts', actor, (progress) => syncExternalContacts(deps, progress));
}

type Relation = ReturnType<typeof relationFrom>;
const COMPARED: (keyof Relation)[] = ['remark', 'description', 'remark_corp_name', 'remark_mobiles', 'tag_ids', 'add_way', 'state', 'oper_userid'];

async function syncExternalContacts(deps: ExternalSyncDeps, progress: SyncProgress): Promise<void> {
  const { sequelize, hooks } = deps;
  const wecom = deps.wecom.withRetries(SYNC_RETRIES);
  await progress.report(1, '同步客户标签', true);
  const { tag_group: tagGroups } = await wecom.getCorpTagList();
  await sequelize.transaction((t) => replaceCorpTags(sequelize, tagGroups, t));
  await progress.report(2, '获取客户联系成员', true);
  const { follow_user: followUsers } = await wecom.getFollowUserList();

  for (let i = 0; i < followUsers.length; i += USERS_PER_REQUEST) {
    const userids = followUsers.slice(i, i + USERS_PER_REQUEST);
    const existing = await existingRelations(sequelize, userids);
    const seen = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await batchOrEmpty(wecom, userids, cursor);
      await sequelize.transaction(async (t) => {
        const changed = new Map<string, Relation>();
        for (const { external_contact: contact, follow_info: follow } of page.external_contact_list) {
          const relation = relationFrom(contact.external_userid, follow);
          const key = `${relation.external_userid}|${relation.userid}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const before = existing.get(key);
          if (before && before.deleted_at === null && COMPARED.every((k) => String(before[k] ?? '') === String(relation[k] ?? ''))) {
            progress.tally('unchanged');
            continue;
          }
          changed.set(key, relation);
          progress.tally(before && before.deleted_at === null ? 'updated' : 'created');
        }
        await upsertExternalContacts(sequelize, page.external_contact_list.map((e) => e.external_contact), t);
        await upsertFollowRelations(sequelize, [...changed.values()], t);
        await hooks.onExternalContactsSynced([...changed.values()].map((r) => ({ externalUserid: r.external_userid, userid: r.userid })), t);
      });
      cursor = page.next_cursor || undefined;
    } while (cursor);

    const gone = [...existing.entries()].filter(([key, r]) => r.deleted_at === null && !seen.has(key));
    await sequelize.transaction(async (t) => {
      for (const [, r] of gone) {
        await markRelationDeleted(sequelize, r.external_userid, r.userid, 'gone', t);
        await hooks.onRelationEnded(r.external_userid, r.userid, t);
      }
    });
    progress.tally('left', gone.length);
    await progress.report(5 + (90 * Math.min(i + USERS_PER_REQUEST, followUsers.length)) / Math.max(followUsers.length, 1), '同步客户');
  }
  await syncGroupChats(deps, wecom);
}

/** Every customer group (客户群) with its members; groups WeCom no longer lists are marked dismissed. */
async function syncGroupChats(deps: ExternalSyncDeps, wecom: WecomClient): Promise<void> {
  const { sequelize } = deps;
  const listed = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await wecom.listGroupChats({ limit: GROUP_CHAT_PAGE, cursor });
    for (const { chat_id: chatId } of page.group_chat_list) {
      listed.add(chatId);
      const { group_chat: chat } = await wecom.getGroupChat(chatId);
      await sequelize.transaction((t) => upsertGroupChat(sequelize, chat, t));
    }
    cursor = page.next_cursor || undefined;
  } while (cursor);
  const known = await sequelize.query<{ chat_id: string }>('SELECT chat_id FROM wecom_group_chats WHERE dismissed_at IS NULL', { type: QueryTypes.SELECT });
  const gone = known.filter((c) => !listed.has(c.chat_id));
  if (gone.length) await sequelize.transaction(async (t) => {
    for (const c of gone) await markGroupChatDismissed(sequelize, c.chat_id, t);
  });
}

async function existingRelations(sequelize: Sequelize, userids: string[]): Promise<Map<string, Relation & { deleted_at: Date | null }>> {
  const rows = await sequelize.query<Relation & { deleted_at: Date | null }>(
    `SELECT * FROM wecom_follow_relations WHERE userid IN (${sqlList(userids)})`,
    { replacements: userids, type: QueryTypes.SELECT },
  );
  return new Map(rows.map((r) => [`${r.external_userid}|${r.userid}`, r]));
}

/** One page; an employee without customers (84061) is an empty page, not an error. */
async function batchOrEmpty(wecom: WecomClient, userids: string[], cursor?: string): Promise<BatchGetByUserResponse> {
  try {
    return await wecom.batchGetExternalContactsByUser({ userid_list: userids, cursor, limit: PAGE_LIMIT });
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === NO_EXTERNAL_CONTACTS) return { errcode: 0, errmsg: 'ok', external_contact_list: [] };
    throw err;
  }
}
