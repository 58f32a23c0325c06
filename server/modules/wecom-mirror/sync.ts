/**
 * Full external-contact sync (server/README.md#sync-flow): the corp tag list; then for every employee with 客户联系
 * permission, `externalcontact/batch/get_by_user` (100 employees per request, cursor, limit 100);
 * contacts and relations are upserted, and live relations of those employees that WeCom no longer
 * returns are soft-deleted; then the customer groups. Idempotent: a second run reports only
 * `unchanged` contacts.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { WecomClient } from '../../wecom/client';
import { NO_EXTERNAL_CONTACTS, WecomApiError } from '../../wecom/errors';
import type { BatchGetByUserResponse } from '../../wecom/types';
import type { Actor } from '../audit/service';
import { sqlList } from '../../db/dialect';
import { startSyncRun, syncClient, type StartedSync, type SyncProgress, type WecomSyncDeps } from '../sync-runs/runner';
import type { ExternalContactHooks } from './hooks';
import {
  markGroupChatDismissed,
  markRelationDeleted,
  relationFrom,
  replaceCorpTags,
  upsertExternalContacts,
  upsertFollowRelations,
  upsertGroupChat,
} from './service';

export interface ExternalSyncDeps extends WecomSyncDeps {
  hooks: ExternalContactHooks;
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
  const wecom = syncClient(deps.wecom, progress);
  await progress.report(1, '同步客户标签', true);
  const { tag_group: tagGroups } = await wecom.getCorpTagList();
  await sequelize.transaction((t) => replaceCorpTags(sequelize, tagGroups, t));
  await progress.report(2, '获取客户联系成员', true);
  const { follow_user: followUsers } = await wecom.getFollowUserList();

  for (let i = 0; i < followUsers.length; i += USERS_PER_REQUEST) {
    const userids = followUsers.slice(i, i + USERS_PER_REQUEST);
    const existing = await existingRelations(sequelize, userids);
    const seen = new Set<string>();
    const unread = new Set<string>();
    for await (const page of pagesOf(wecom, userids, progress, unread)) {
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
        await upsertExternalContacts(
          sequelize,
          page.external_contact_list.map((e) => e.external_contact),
          t,
        );
        await upsertFollowRelations(sequelize, [...changed.values()], t);
        await hooks.onExternalContactsSynced(
          [...changed.values()].map((r) => ({ externalUserid: r.external_userid, userid: r.userid })),
          t,
        );
      });
    }

    const gone = await confirmedGone(wecom, existing, seen, unread, progress);
    await sequelize.transaction(async (t) => {
      for (const r of gone) {
        if (await markRelationDeleted(sequelize, r.external_userid, r.userid, 'gone', t)) await hooks.onRelationEnded(r.external_userid, r.userid, 'gone', t);
      }
    });
    progress.tally('left', gone.length);
    await progress.report(5 + (90 * Math.min(i + USERS_PER_REQUEST, followUsers.length)) / Math.max(followUsers.length, 1), '同步客户');
  }
  await syncGroupChats(deps, wecom);
}

/**
 * The pages of `batch/get_by_user` for these employees. WeCom answers a whole batch with 84061
 * ("not external contact") when it has nothing for one of them, so a batch answered that way is
 * read again one employee at a time; an employee whose own batch still says 84061 is asked with
 * `externalcontact/list` (96314), the one answer that says "this employee has no customers". An
 * employee WeCom gives no clear answer for is added to `unread`: their relations are kept.
 */
async function* pagesOf(wecom: WecomClient, userids: string[], progress: SyncProgress, unread: Set<string>): AsyncGenerator<BatchGetByUserResponse> {
  let cursor: string | undefined;
  do {
    const page = await batchOrNull(wecom, userids, cursor);
    if (page === null) {
      if (userids.length > 1) {
        progress.count('batches_split');
        for (const userid of userids) yield* pagesOf(wecom, [userid], progress, unread);
        return;
      }
      const listed = await wecom.listExternalContacts(userids[0]!);
      if (listed.length > 0) {
        unread.add(userids[0]!);
        progress.incomplete(`成员 ${userids[0]} 的客户读取不一致（批量接口返回 84061，客户列表却有 ${listed.length} 位），已保留其客户关系，请稍后重新同步。`);
      }
      return;
    }
    yield page;
    cursor = page.next_cursor || undefined;
  } while (cursor);
}

/** Below this many, or this share, of an employee's live relations, a disappearance is believed. */
const GUARD_RELATIONS = 50;
const GUARD_SHARE = 0.2;

/**
 * The live relations of these employees WeCom no longer returned — but an employee about to lose
 * more than GUARD_RELATIONS or GUARD_SHARE of theirs is re-checked with `externalcontact/list`
 * first, and only the relations that list confirms are gone go (the rest are kept and counted).
 */
async function confirmedGone(
  wecom: WecomClient,
  existing: Map<string, Relation & { deleted_at: Date | null }>,
  seen: ReadonlySet<string>,
  unread: ReadonlySet<string>,
  progress: SyncProgress,
): Promise<Relation[]> {
  const byEmployee = new Map<string, { live: number; gone: Relation[] }>();
  for (const [key, r] of existing) {
    if (r.deleted_at !== null) continue;
    const entry = byEmployee.get(r.userid) ?? { live: 0, gone: [] };
    entry.live++;
    if (!seen.has(key)) entry.gone.push(r);
    byEmployee.set(r.userid, entry);
  }
  const confirmed: Relation[] = [];
  for (const [userid, { live, gone }] of byEmployee) {
    if (!gone.length || unread.has(userid)) continue;
    if (gone.length <= GUARD_RELATIONS && gone.length <= live * GUARD_SHARE) {
      confirmed.push(...gone);
      continue;
    }
    progress.count('employees_rechecked');
    let still: Set<string>;
    try {
      still = new Set(await wecom.listExternalContacts(userid));
    } catch (err) {
      progress.count('relations_kept', gone.length);
      progress.incomplete(`成员 ${userid} 有 ${gone.length} 位客户不在本次结果中，复核失败（${(err as Error).message.slice(0, 120)}），已全部保留。`);
      continue;
    }
    const reallyGone = gone.filter((r) => !still.has(r.external_userid));
    if (reallyGone.length < gone.length) {
      progress.count('relations_kept', gone.length - reallyGone.length);
      progress.incomplete(`成员 ${userid} 有 ${gone.length - reallyGone.length} 位客户不在批量结果中，但客户列表里仍有，已保留，请稍后重新同步。`);
    }
    confirmed.push(...reallyGone);
  }
  return confirmed;
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
  if (gone.length)
    await sequelize.transaction(async (t) => {
      for (const c of gone) await markGroupChatDismissed(sequelize, c.chat_id, t);
    });
}

async function existingRelations(sequelize: Sequelize, userids: string[]): Promise<Map<string, Relation & { deleted_at: Date | null }>> {
  const rows = await sequelize.query<Relation & { deleted_at: Date | null }>(`SELECT * FROM wecom_follow_relations WHERE userid IN (${sqlList(userids)})`, {
    replacements: userids,
    type: QueryTypes.SELECT,
  });
  return new Map(rows.map((r) => [`${r.external_userid}|${r.userid}`, r]));
}

/** One page, or null when WeCom answered 84061 for the batch (see `pagesOf`). */
async function batchOrNull(wecom: WecomClient, userids: string[], cursor?: string): Promise<BatchGetByUserResponse | null> {
  try {
    return await wecom.batchGetExternalContactsByUser({ userid_list: userids, cursor, limit: PAGE_LIMIT });
  } catch (err) {
    if (err instanceof WecomApiError && err.errcode === NO_EXTERNAL_CONTACTS) return null;
    throw err;
  }
}
