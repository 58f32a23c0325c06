/**
 * 离职待分配: members who left with customers, WeCom contacts or customer groups still theirs —
 * the CRM's side (customers they own) beside WeCom's (92124 获取待分配的离职成员列表). When WeCom's
 * list cannot be read, the mirror's relations stand in and the queue says so.
 */
import { Op, type Sequelize } from 'sequelize';
import type { UnassignedBook, UnassignedQueue } from '@shared/transfers';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError, WecomTransportError } from '../../wecom/errors';
import { customersOwnedBy } from '../customers/service';
import { contactsOfCustomers } from '../matching/service';
import { colleaguesInScope } from '../org/service';
import type { Access } from '../roles/access';
import { contactNames, contactsFollowedBy, groupChatsOwnedBy } from '../wecom-mirror/reads';
import { transferModels } from './models';

const MEMBERS_SHOWN = 200;

export async function unassignedQueue(sequelize: Sequelize, wecom: WecomClient, logger: Logger, access: Access): Promise<UnassignedQueue> {
  const left = await colleaguesInScope(sequelize, access, { status: 'left', limit: MEMBERS_SHOWN });
  if (!left.length) return { books: [], wecomNote: null };
  let wecomNote: string | null = null;
  let fromWecom: Map<string, { externalUserid: string; leftAt: number }[]> | null = new Map();
  try {
    for (const c of await wecom.unassignedContacts()) {
      fromWecom.set(c.handover_userid, [...(fromWecom.get(c.handover_userid) ?? []), { externalUserid: c.external_userid, leftAt: c.dimission_time * 1000 }]);
    }
  } catch (err) {
    if (!(err instanceof WecomApiError || err instanceof WecomTransportError)) throw err;
    logger.warn({ err }, 'get_unassigned_list failed; the queue shows the mirror');
    fromWecom = null;
    wecomNote = `企业微信的待分配列表暂时读不到（${err instanceof WecomApiError ? (err.adminHint ?? `错误码 ${err.errcode}`) : '网络不通'}），下面按本地同步的数据列出。`;
  }
  const inFlight = new Set(
    (await transferModels(sequelize).Transfer.findAll({ attributes: ['external_userid'], where: { live_key: { [Op.ne]: null }, subject: 'contact' } })).map(
      (r) => r.get().external_userid!,
    ),
  );
  const books: UnassignedBook[] = [];
  for (const member of left) {
    const customers = await customersOwnedBy(sequelize, access, member.id);
    const linked = new Set(
      (
        await contactsOfCustomers(
          sequelize,
          customers.map((c) => c.id),
        )
      ).map((l) => l.externalUserid),
    );
    const waiting = fromWecom
      ? (fromWecom.get(member.wecomUserid) ?? [])
      : (await contactsFollowedBy(sequelize, member.wecomUserid)).map((c) => ({ externalUserid: c.externalUserid, leftAt: 0 }));
    const others = waiting.filter((c) => !linked.has(c.externalUserid) && !inFlight.has(c.externalUserid));
    const names = await contactNames(
      sequelize,
      others.map((c) => c.externalUserid),
    );
    const chats = await groupChatsOwnedBy(sequelize, member.wecomUserid);
    if (!customers.length && !others.length && !chats.length) continue;
    const leftAt = waiting.find((c) => c.leftAt)?.leftAt;
    books.push({
      user: { id: member.id, name: member.name, wecomUserId: member.wecomUserid },
      leftAt: leftAt ? new Date(leftAt).toISOString() : null,
      customers: customers.map((c) => ({ id: c.id, name: c.name, lifecycleStage: c.lifecycle_stage })),
      contacts: others.map((c) => ({ externalUserId: c.externalUserid, name: names.get(c.externalUserid) ?? c.externalUserid })),
      groupChats: chats,
    });
  }
  return { books, wecomNote };
}
