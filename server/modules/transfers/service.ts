/**
 * 客户继承: a manager hands customers to a colleague, and WeCom hands the relations over with them.
 *
 * In one transaction the CRM owner moves (the new owner can work the customer at once), every
 * linked contact the old owner follows in WeCom gets a transfer row (`queued`), the member's
 * customer groups too when a whole book moves, and a `transfer.submit` job is queued. The job
 * calls WeCom (jobs.ts); polling `transfer_result` moves each row to 接替完毕 / 客户拒绝 / …; a
 * failure is never rolled back silently — it waits for the manager's decision (`resolveTransfer`).
 * Customers of a member who left go through WeCom's 离职继承 APIs, the others through 在职继承.
 */
import { randomUUID } from 'node:crypto';
import { Op, UniqueConstraintError, type Sequelize, type Transaction } from 'sequelize';
import type {
  TransferBatchView,
  TransferBookInput,
  TransferCustomersInput,
  TransferKind,
  TransferResolveInput,
  TransferStatus,
  TransferView,
} from '@shared/transfers';
import { FAILED_TRANSFER_STATUSES, isFailedTransfer } from '@shared/transfers';
import type { CardTransfer } from '@shared/sidebar';
import { iso, isoOrNull, namesById, named } from '../../db/lookup';
import { conflict, forbidden, invalidField, notFound } from '../../errors';
import { enqueueJob } from '../../jobs/jobs';
import { audit } from '../audit/service';
import { changeOwner, customersOwnedBy, visibleCustomers } from '../customers/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { contactsOfCustomers } from '../matching/service';
import { scopeWhere, type Access } from '../roles/access';
import { requireMemberInScope, resolveOwnership, wecomUseridOf, type Caller } from '../roles/ownership';
import { contactNames, contactsFollowedBy, followedBy, groupChatNames, groupChatsOwnedBy } from '../wecom-mirror/reads';
import { transferModels, type NewTransfer, type TransferRow } from './models';
import { notifyHandedOver, notifyPreviousOwners } from './notices';
import { liveKeyOf } from './rules';
import { employeesByIds } from '../org/reads';

export const SUBMIT_JOB = 'transfer.submit';

interface Party {
  userId: number;
  name: string;
  wecomUserid: string;
  departmentId: number;
}

/** What one request hands over: customers (with their relations), and for a whole book the rest. */
interface Handover {
  customers: CustomerRow[];
  /** The giver's WeCom contacts with no CRM customer of theirs (a whole book only). */
  contacts: { externalUserid: string; handover: string; kind: TransferKind; fromUserId: number }[];
  groupChats: { chatId: string; handover: string; kind: TransferKind; fromUserId: number }[];
  message: string | null;
  /** Why (asked of whoever transfers by hand); none for a 公海 claim. */
  reason?: string | null;
}

/** Selected customers (one, or many from the list) to a colleague in the caller's scope. */
export async function transferCustomers(sequelize: Sequelize, caller: Caller, input: TransferCustomersInput): Promise<TransferBatchView> {
  const to = await receiver(sequelize, caller, input.toUserId);
  const batchId = await sequelize.transaction(async (transaction) => {
    const customers = await visibleCustomers(sequelize, caller.access, input.customerIds, transaction);
    return handOver(
      sequelize,
      caller,
      to,
      { customers, contacts: [], groupChats: [], message: input.message ?? null, reason: input.reason ?? null },
      transaction,
    );
  });
  return batchView(sequelize, caller.access, batchId);
}

/**
 * A member's whole book: their customers the caller sees, their other WeCom contacts and (unless
 * asked not to) the customer groups they own. For a member who left this is 离职继承.
 */
export async function transferBook(sequelize: Sequelize, caller: Caller, input: TransferBookInput): Promise<TransferBatchView> {
  const from = await requireMemberInScope(sequelize, caller.access, input.fromUserId, 'fromUserId');
  if (from.id === input.toUserId) throw forbidden('转出人和接替人不能是同一人');
  const to = await receiver(sequelize, caller, input.toUserId);
  const kind: TransferKind = from.status === 'active' ? 'onjob' : 'resigned';
  const batchId = await sequelize.transaction(async (transaction) => {
    const customers = await customersOwnedBy(sequelize, caller.access, from.id, transaction);
    const linked = new Set(
      (
        await contactsOfCustomers(
          sequelize,
          customers.map((c) => c.id),
          transaction,
        )
      ).map((l) => l.externalUserid),
    );
    const followed = await contactsFollowedBy(sequelize, from.wecomUserid, transaction);
    const others = followed.filter((c) => !linked.has(c.externalUserid));
    const chats = input.groupChats ? await groupChatsOwnedBy(sequelize, from.wecomUserid, transaction) : [];
    return handOver(
      sequelize,
      caller,
      to,
      {
        customers,
        contacts: others.map((c) => ({ externalUserid: c.externalUserid, handover: from.wecomUserid, kind, fromUserId: from.id })),
        groupChats: chats.map((c) => ({ chatId: c.chatId, handover: from.wecomUserid, kind, fromUserId: from.id })),
        message: input.message ?? null,
        reason: input.reason ?? null,
      },
      transaction,
    );
  });
  return batchView(sequelize, caller.access, batchId);
}

/**
 * The receiver: an active employee the caller may make an owner (the rule every new owner meets).
 * An id that names nobody and one that names someone outside the caller's scope get the same
 * answer (400, one message), so the route cannot be used to find out who exists.
 */
async function receiver(sequelize: Sequelize, caller: Caller, toUserId: number): Promise<Party> {
  await requireMemberInScope(sequelize, caller.access, toUserId, 'toUserId');
  const target = await resolveOwnership(sequelize, caller, { ownerUserId: toUserId }, { owner: 'toUserId', department: 'toUserId' });
  return { userId: toUserId, name: target.ownerName, wecomUserid: await wecomUseridOf(sequelize, toUserId), departmentId: target.departmentId };
}

/**
 * A customer taken from 公海 (server/modules/customer-pool) by `to` — the claimer, or the member a
 * manager assigned it to: the CRM owner moves and the last owner's WeCom relations to its linked
 * contacts go through 客户继承 with it (在职继承, or 离职继承 for an owner who left), in the
 * caller's transaction. WeCom lets an on-the-job member's customer be transferred at most twice in
 * 90 natural days (「为保障客户服务体验，90个自然日内，在职成员的每位客户仅可被转接2次」,
 * https://developer.work.weixin.qq.com/document/path/96325); a third attempt comes back 40128 and
 * is left for the manager like every failed transfer (rules.ts). Returns the batch and whether a
 * WeCom relation is on its way (false: only the CRM owner moved).
 */
export async function handOverFromPool(
  sequelize: Sequelize,
  caller: Caller,
  customer: CustomerRow,
  to: { userId: number; departmentId: number },
  transaction: Transaction,
): Promise<{ batchId: string; wecomTransfer: boolean }> {
  const [employee] = await employeesByIds(sequelize, [to.userId], transaction);
  if (!employee) throw invalidField('userId', '人员不存在或已停用');
  const name = (await namesById(sequelize, 'users', [to.userId], transaction)).get(to.userId) ?? '';
  const party: Party = { userId: to.userId, name, wecomUserid: employee.wecom_userid, departmentId: to.departmentId };
  const batchId = await handOver(sequelize, caller, party, { customers: [customer], contacts: [], groupChats: [], message: null }, transaction);
  const queued = await transferModels(sequelize).Transfer.count({ where: { batch_id: batchId, status: 'queued' }, transaction });
  return { batchId, wecomTransfer: queued > 0 };
}

/** The givers of these customers: their WeCom userid and whether they are still with the company. */
async function giversOf(
  sequelize: Sequelize,
  customers: readonly CustomerRow[],
  transaction: Transaction,
): Promise<Map<number, { wecomUserid: string; kind: TransferKind }>> {
  const ids = [...new Set(customers.map((c) => c.owner_user_id))];
  if (!ids.length) return new Map();
  const rows = await employeesByIds(sequelize, ids, transaction);
  return new Map(rows.map((r) => [Number(r.id), { wecomUserid: r.wecom_userid, kind: r.status === 'active' ? 'onjob' : 'resigned' }]));
}

async function handOver(sequelize: Sequelize, caller: Caller, to: Party, plan: Handover, transaction: Transaction, batchId = randomUUID()): Promise<string> {
  const givers = await giversOf(sequelize, plan.customers, transaction);
  // A customer whose relation is still on its way to someone cannot be handed on yet.
  const inFlight = plan.customers.length
    ? await transferModels(sequelize).Transfer.count({
        where: { customer_id: { [Op.in]: plan.customers.map((c) => c.id) }, live_key: { [Op.ne]: null } },
        transaction,
      })
    : 0;
  if (inFlight) throw conflict('部分客户的企业微信好友正在转接中，请等待接替结果后再转移');
  const moved = await changeOwner(sequelize, plan.customers, { userId: to.userId, departmentId: to.departmentId }, caller.access.userId, transaction);
  const base = { batch_id: batchId, to_user_id: to.userId, takeover_userid: to.wecomUserid, requested_by: caller.access.userId, message: plan.message };
  const rows: NewTransfer[] = [];

  // Each moved customer: the old owner's WeCom relations to its linked contacts move with it.
  const links = await contactsOfCustomers(
    sequelize,
    moved.map((c) => c.id),
    transaction,
  );
  for (const c of moved) {
    const giver = givers.get(c.owner_user_id)!;
    const mine = links.filter((l) => l.customerId === c.id).map((l) => l.externalUserid);
    const followed = await followedBy(sequelize, giver.wecomUserid, mine, transaction);
    if (!followed.size || giver.wecomUserid === to.wecomUserid) {
      rows.push({
        ...base,
        kind: giver.kind,
        subject: 'crm',
        customer_id: c.id,
        from_user_id: c.owner_user_id,
        handover_userid: giver.wecomUserid,
        status: 'crm_only',
      });
      continue;
    }
    for (const externalUserid of followed) {
      rows.push({
        ...base,
        kind: giver.kind,
        subject: 'contact',
        customer_id: c.id,
        external_userid: externalUserid,
        from_user_id: c.owner_user_id,
        handover_userid: giver.wecomUserid,
        status: 'queued',
        live_key: liveKeyOf({ external_userid: externalUserid }),
      });
    }
  }
  for (const x of plan.contacts) {
    rows.push({
      ...base,
      kind: x.kind,
      subject: 'contact',
      external_userid: x.externalUserid,
      from_user_id: x.fromUserId,
      handover_userid: x.handover,
      status: 'queued',
      live_key: liveKeyOf({ external_userid: x.externalUserid }),
    });
  }
  for (const g of plan.groupChats) {
    rows.push({
      ...base,
      kind: g.kind,
      subject: 'group_chat',
      chat_id: g.chatId,
      from_user_id: g.fromUserId,
      handover_userid: g.handover,
      status: 'queued',
      live_key: liveKeyOf({ chat_id: g.chatId }),
    });
  }
  if (!rows.length) throw invalidField('toUserId', '所选客户已由该同事负责');
  try {
    await transferModels(sequelize).Transfer.bulkCreate(rows, { transaction });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw conflict('部分客户的企业微信好友正在转接中，请等待接替结果后再转移');
    throw err;
  }
  if (rows.some((r) => r.status === 'queued'))
    await enqueueJob(sequelize, { kind: SUBMIT_JOB, key: `transfer-submit:${batchId}`, payload: { batchId } }, transaction);
  await notifyHandedOver(
    sequelize,
    { batchId, to: to.userId, by: caller, customers: moved, contacts: plan.contacts.length, groupChats: plan.groupChats.length, reason: plan.reason ?? null },
    transaction,
  );
  await notifyPreviousOwners(sequelize, { batchId, to, by: caller, customers: moved, reason: plan.reason ?? null }, transaction);
  await audit(
    sequelize,
    caller.actor,
    {
      action: 'customer.transfer',
      entity: 'customer',
      entityId: plan.customers.length === 1 ? plan.customers[0]!.id : undefined,
      summary:
        `转移 ${plan.customers.length} 位客户给 ${to.name}` +
        (plan.contacts.length ? `，另有 ${plan.contacts.length} 位企业微信客户` : '') +
        (plan.groupChats.length ? `、${plan.groupChats.length} 个客户群` : '') +
        (plan.reason ? `（原因：${plan.reason}）` : ''),
      diff: { batchId, reason: plan.reason ?? null, customers: plan.customers.map((c) => ({ id: c.id, from: c.owner_user_id, to: to.userId })) },
    },
    { transaction },
  );
  return batchId;
}

// ---- reading -------------------------------------------------------------------------------

export interface TransferListQuery {
  status?: 'active' | 'failed' | TransferStatus;
  customerId?: number;
  batchId?: string;
}

const LIST_LIMIT = 200;

/**
 * Transfers the caller may see: those of customers in their scope, and (for groups and contacts
 * without a customer) those they asked for — everyone's for a caller who sees everything.
 */
export async function listTransfers(sequelize: Sequelize, access: Access, query: TransferListQuery): Promise<TransferView[]> {
  const { Transfer } = transferModels(sequelize);
  const where: Record<string | symbol, unknown> = {};
  if (query.status === 'active') where.status = { [Op.in]: ['queued', 'waiting'] };
  else if (query.status === 'failed') Object.assign(where, { status: { [Op.in]: FAILED_TRANSFER_STATUSES }, resolution: null });
  else if (query.status) where.status = query.status;
  if (query.customerId) where.customer_id = query.customerId;
  if (query.batchId) where.batch_id = query.batchId;
  const rows = (await Transfer.findAll({ where, order: [['id', 'DESC']], limit: LIST_LIMIT * 2 })).map((r) => r.get());
  return transferViews(sequelize, (await visibleRows(sequelize, access, rows)).slice(0, LIST_LIMIT));
}

async function visibleRows(sequelize: Sequelize, access: Access, rows: TransferRow[]): Promise<TransferRow[]> {
  if (access.dataScope === 'all') return rows;
  const customerIds = [...new Set(rows.map((r) => r.customer_id).filter((id): id is number => id !== null))];
  const { Customer } = customerModels(sequelize);
  const visible = customerIds.length
    ? new Set(
        (await Customer.findAll({ attributes: ['id'], where: { [Op.and]: [{ id: { [Op.in]: customerIds } }, scopeWhere(access)] } })).map((c) => c.get().id),
      )
    : new Set<number>();
  return rows.filter((r) => (r.customer_id !== null ? visible.has(r.customer_id) : r.requested_by === access.userId));
}

export async function batchView(sequelize: Sequelize, access: Access, batchId: string): Promise<TransferBatchView> {
  const items = await listTransfers(sequelize, access, { batchId });
  return {
    batchId,
    transferred: new Set(items.map((i) => i.customer?.id).filter((id) => id !== undefined)).size,
    contacts: items.filter((i) => i.subject === 'contact').length,
    groupChats: items.filter((i) => i.subject === 'group_chat').length,
    items,
  };
}

export async function transferViews(sequelize: Sequelize, rows: readonly TransferRow[]): Promise<TransferView[]> {
  const people = await namesById(
    sequelize,
    'users',
    rows.flatMap((r) => [r.to_user_id, r.from_user_id, r.requested_by].filter((id): id is number => id !== null)),
  );
  const customers = await namesById(
    sequelize,
    'customers',
    rows.map((r) => r.customer_id).filter((id): id is number => id !== null),
  );
  const contacts = await contactNames(
    sequelize,
    rows.map((r) => r.external_userid).filter((id): id is string => id !== null),
  );
  const chats = await groupChatNames(
    sequelize,
    rows.map((r) => r.chat_id).filter((id): id is string => id !== null),
  );
  return rows.map((r) => ({
    id: r.id,
    batchId: r.batch_id,
    kind: r.kind,
    subject: r.subject,
    customer: r.customer_id === null ? null : named(customers, r.customer_id),
    wecomName: r.external_userid ? (contacts.get(r.external_userid) ?? r.external_userid) : r.chat_id ? (chats.get(r.chat_id) ?? '未命名客户群') : null,
    externalUserId: r.external_userid,
    chatId: r.chat_id,
    from: r.from_user_id === null ? null : named(people, r.from_user_id),
    to: named(people, r.to_user_id),
    requestedBy: r.requested_by === null ? null : named(people, r.requested_by),
    status: r.status,
    reason: r.reason,
    takeoverAt: isoOrNull(r.takeover_at),
    resolution: r.resolution,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  }));
}

/** The handovers of one customer the caller sees, newest first. */
export async function transfersOfCustomer(sequelize: Sequelize, access: Access, customerId: number): Promise<TransferView[]> {
  await visibleCustomers(sequelize, access, [customerId]);
  const rows = await transferModels(sequelize).Transfer.findAll({ where: { customer_id: customerId }, order: [['id', 'DESC']], limit: 20 });
  return transferViews(
    sequelize,
    rows.map((r) => r.get()),
  );
}

/** A finished transfer stays on the card this long; one in flight or failed and undecided, until it is not. */
const CARD_TRANSFER_DAYS = 7;

/** The contact's newest transfer while it matters to the people in the chat (the sidebar card shows it). */
export async function cardTransferOf(sequelize: Sequelize, externalUserid: string, now = new Date()): Promise<CardTransfer | null> {
  const row = (await transferModels(sequelize).Transfer.findOne({ where: { external_userid: externalUserid }, order: [['id', 'DESC']] }))?.get();
  if (!row) return null;
  const pending = row.status === 'queued' || row.status === 'waiting' || (isFailedTransfer(row.status) && !row.resolution);
  if (!pending && now.getTime() - new Date(row.updated_at).getTime() > CARD_TRANSFER_DAYS * 86_400_000) return null;
  const [view] = await transferViews(sequelize, [row]);
  return { status: view!.status, from: view!.from?.name ?? null, to: view!.to.name, takeoverAt: view!.takeoverAt, reason: view!.reason };
}

// ---- a manager's decision on a failure -------------------------------------------------------

/**
 * What to do about a transfer WeCom did not complete: `retry` asks WeCom again; `keep` leaves it
 * (the CRM owner stays the new one, the WeCom relation with the old); `reassign` hands the
 * customer (and the relation, still the old owner's) to someone else — back to the old owner
 * moves only the CRM owner.
 */
export async function resolveTransfer(sequelize: Sequelize, caller: Caller, id: number, input: TransferResolveInput): Promise<TransferView[]> {
  const { Transfer } = transferModels(sequelize);
  const current = (await Transfer.findByPk(id))?.get();
  const [visible] = current ? await visibleRows(sequelize, caller.access, [current]) : [];
  if (!current || !visible) throw notFound('转接记录不存在');
  if (!isFailedTransfer(current.status) || current.resolution) throw conflict('只有未处理的失败转接可以重试、保留或改派');
  const to = input.action === 'reassign' ? await receiver(sequelize, caller, input.toUserId) : null;
  const batchId = randomUUID();
  await sequelize.transaction(async (transaction) => {
    const taken = await Transfer.update(
      {
        resolution: input.action === 'retry' ? 'retried' : input.action === 'keep' ? 'kept' : 'reassigned',
        resolved_by: caller.access.userId,
        resolved_at: new Date(),
      },
      { where: { id, resolution: null }, transaction },
    );
    if (taken[0] !== 1) throw conflict('这条转接已被处理');
    if (input.action === 'keep') {
      await audit(
        sequelize,
        caller.actor,
        { action: 'customer.transfer.keep', entity: 'customer', entityId: current.customer_id ?? undefined, summary: '转接失败后保留现状' },
        { transaction },
      );
      return;
    }
    const again = input.action === 'retry' ? current.to_user_id : to!.userId;
    if (current.customer_id !== null && input.action === 'reassign') {
      const [customer] = await visibleCustomers(sequelize, caller.access, [current.customer_id], transaction);
      await changeOwner(sequelize, [customer!], { userId: to!.userId, departmentId: to!.departmentId }, caller.access.userId, transaction);
    }
    const takeover = input.action === 'retry' ? current.takeover_userid! : to!.wecomUserid;
    const backHome = takeover === current.handover_userid;
    await Transfer.create(
      {
        batch_id: batchId,
        kind: current.kind,
        subject: backHome ? 'crm' : current.subject,
        customer_id: current.customer_id,
        external_userid: current.external_userid,
        chat_id: current.chat_id,
        handover_userid: current.handover_userid,
        takeover_userid: takeover,
        from_user_id: current.from_user_id,
        to_user_id: again,
        requested_by: caller.access.userId,
        message: current.message,
        status: backHome ? 'crm_only' : 'queued',
        live_key: backHome ? null : liveKeyOf(current),
      },
      { transaction },
    ).catch((err: unknown) => {
      throw err instanceof UniqueConstraintError ? conflict('该客户正在转接中') : err;
    });
    if (!backHome) await enqueueJob(sequelize, { kind: SUBMIT_JOB, key: `transfer-submit:${batchId}`, payload: { batchId } }, transaction);
    await audit(
      sequelize,
      caller.actor,
      {
        action: input.action === 'retry' ? 'customer.transfer.retry' : 'customer.transfer.reassign',
        entity: 'customer',
        entityId: current.customer_id ?? undefined,
        summary: input.action === 'retry' ? '重新提交企业微信转接' : `转接失败后改派给 ${to!.name}`,
        diff: { transferId: id, batchId },
      },
      { transaction },
    );
  });
  return listTransfers(sequelize, caller.access, { batchId: input.action === 'keep' ? current.batch_id : batchId });
}
