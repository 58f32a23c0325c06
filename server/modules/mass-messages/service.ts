/**
 * 客户群发 (server/README.md#客户群发): created with its audience resolved and frozen, submitted to
 * 合规 through the approval engine (nothing is sent before), then — once approved — one WeCom
 * 企业群发 task per sender (and per text, when {称呼} makes texts differ: WeCom sends one text per
 * task, 92135), whose members confirm it in WeCom; the results are read back per customer (93338).
 */
// Raw SQL on approval_requests (the request's state), users (names), follow_ups and trades (发送后 7 日内), on purpose: one statement per page.
import { createHash } from 'node:crypto';
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CustomerFilter } from '@shared/customers';
import { addressOf } from '@shared/greeting';
import { businessDate } from '@shared/time';
import { fillPlaceholders } from '@shared/greeting';
import type { PageOf } from '@shared/http';
import {
  AFTER_SEND_DAYS,
  AFTER_SEND_LABEL,
  EXCLUSION_REASONS,
  type MassAfterSend,
  MASS_GROUPS_PER_TASK,
  MASS_KINDS,
  MASS_STATUSES,
  GROUP_STATUSES,
  type MassKind,
  type GroupAudience,
  type MassGroupView,
  RECIPIENT_STATUSES,
  type ExclusionReason,
  type MassAudiencePreview,
  type MassContent,
  type MassMessageCreateInput,
  type MassMessageListItem,
  type MassMessageView,
  type MassPreviewInput,
  type MassReportRow,
  type MassStatus,
  type PendingSendItem,
  type RecipientStatus,
  type SegmentInput,
} from '@shared/mass-messages';
import type { Logger } from '../../logger';
import { WecomApiError, WecomTransportError, explainWecomFailure } from '../../wecom/errors';
import type { WecomClient } from '../../wecom/client';
import type { MassAttachment } from '../../wecom/types';
import { iso, isoOrNull, namesById } from '../../db/lookup';
import { pageWindow } from '../../db/paging';
import { inSlices } from '../../db/dialect';
import { DomainError, conflict, forbidden, notFound, payloadTooLarge } from '../../errors';
import type { ApprovalEngine } from '../approvals/engine';
import { SYSTEM_ACTOR, audit } from '../audit/service';
import type { CustomerRow } from '../customers/models';
import { customerViewOf } from '../customers/service';
import { IMAGE_MAX_BYTES, storeFile, storeImage, wecomMediaId } from '../engagement/media';
import { loadProduct } from '../products/service';
import type { ProductRow } from '../products/models';
import type { Caller } from '../roles/ownership';
import type { Access } from '../roles/access';
import { resolveAudience, resolveGroupAudience, type Sender } from './audience';
import { schedulePoll } from './jobs';
import { notifySenders } from './notices';
import { massModels, type MassMessageRow, type MassRecipientRow, type MassTaskRow } from './models';

/** WeCom's 93338 per-customer status → ours. */
const WECOM_STATUS: Record<number, RecipientStatus> = { 0: 'pending', 1: 'sent', 2: 'not_friend', 3: 'over_limit' };

const kindOf = (row: MassMessageRow): MassKind => row.kind ?? 'customer';

export const contentHash = (content: MassContent, productId: number | null) =>
  createHash('sha256').update(JSON.stringify({ content, productId })).digest('hex');

/** The text a recipient gets: {称呼} the CRM's address for them (never the WeCom remark or nickname), {销售} the sender's name. */
export function textFor(text: string, customer: CustomerRow, senderName: string): string {
  return fillPlaceholders(text, { customer: addressOf(customerViewOf(customer, { id: customer.owner_user_id, name: '' })), rep: senderName });
}

/** A title from the text: its clauses without a placeholder (「我是{销售}」 would read 「我是」), the first 20 characters. */
export function titleOf(text: string): string {
  const clauses = text
    .split(/[，,。！!？?；;\n]+/)
    .map((c) => c.trim())
    .filter((c) => c && !/\{[^}]{1,8}\}/.test(c));
  return clauses.join('，').slice(0, 20) || '客户群发';
}

/** A group's text: {销售} the owner's name; {称呼} stays empty (a group has no one addressee) — a neutral greeting. */
export const groupText = (text: string, ownerName: string) => fillPlaceholders(text, { customer: null, rep: ownerName });

function requireManage(access: Access): void {
  if (!access.permissions.has('mass_message.manage')) throw forbidden('没有客户群发的权限（客户群发）');
}

async function productOf(sequelize: Sequelize, productId: number | null | undefined): Promise<ProductRow | null> {
  return productId ? loadProduct(sequelize, productId) : null;
}

function excludedCounts(rows: { reason: ExclusionReason }[]) {
  const counts = new Map<ExclusionReason, number>();
  for (const r of rows) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  return [...counts].map(([reason, count]) => ({ reason, label: EXCLUSION_REASONS[reason], count }));
}

/** Per sender: how many they send to, and the WeCom tasks they will confirm (one per distinct text, 92135). */
function sendersOf(included: { sender: Sender; text: string }[]) {
  const by = new Map<number, { userId: number; name: string; count: number; texts: Set<string> }>();
  for (const i of included) {
    const s = by.get(i.sender.userId) ?? { userId: i.sender.userId, name: i.sender.name, count: 0, texts: new Set<string>() };
    s.count++;
    s.texts.add(i.text);
    by.set(i.sender.userId, s);
  }
  return [...by.values()].map(({ texts, ...s }) => ({ ...s, tasks: texts.size }));
}

/** 92135: at most 10,000 customers in one task's external_userid. */
const MASS_CUSTOMERS_PER_TASK = 10_000;

/** One WeCom task to create: a sender, the text, and the rows (customers or 客户群) it goes to. */
interface Batch {
  sender: { id: number; wecom_userid: string; name: string };
  text: string;
  rows: { id: number; target: string }[];
}

export interface MassDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  approvals: ApprovalEngine;
  logger: Logger;
}

export class MassMessageService {
  /** Dispatches still running (tests and shutdown wait for them). */
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly deps: MassDeps) {}

  async preview(caller: Caller, input: MassPreviewInput): Promise<MassAudiencePreview> {
    requireManage(caller.access);
    const { sequelize } = this.deps;
    if (input.kind === 'group') {
      const groups = await resolveGroupAudience(sequelize, caller.access, input.groups);
      return {
        matched: groups.matched,
        reach: groups.included.length,
        excluded: excludedCounts(groups.excluded),
        senders: sendersOf(groups.included.map((g) => ({ sender: g.sender, text: groupText(input.content.text, g.sender.name) }))),
        sample: [],
        groupSample: groups.included.slice(0, 5).map((g) => ({ chatId: g.chatId, name: g.name, memberCount: g.memberCount, sender: g.sender.name })),
      };
    }
    const audience = await resolveAudience(sequelize, caller.access, input.audience, await productOf(sequelize, input.productId));
    return {
      matched: audience.matched,
      reach: audience.included.length,
      excluded: excludedCounts(audience.excluded),
      senders: sendersOf(audience.included.map((i) => ({ sender: i.sender, text: textFor(input.content.text, i.customer, i.sender.name) }))),
      sample: audience.included.slice(0, 5).map((i) => ({
        customerId: i.customer.id,
        name: i.customer.name,
        sender: i.sender.name,
        text: textFor(input.content.text, i.customer, i.sender.name),
      })),
      groupSample: [],
    };
  }

  /** `POST /api/mass-messages`: the audience frozen, the content fixed, submitted to 合规. */
  async create(caller: Caller, input: MassMessageCreateInput): Promise<MassMessageView> {
    requireManage(caller.access);
    const { sequelize, approvals } = this.deps;
    if (input.kind === 'group' && input.productId)
      throw new DomainError('conflict', 'mass_group_product', '关联产品的群发只能发给客户：客户群无法按风险等级筛选');
    const product = await productOf(sequelize, input.productId);
    const audience =
      input.kind === 'group'
        ? await resolveGroupAudience(sequelize, caller.access, input.groups)
        : await resolveAudience(sequelize, caller.access, input.audience, product);
    if (audience.included.length === 0) {
      const what = input.kind === 'group' ? '客户群' : '客户';
      throw conflict(`筛选出的${what}都不能接收这条群发（见排除原因），请调整人群`, { code: 'mass_empty', excluded: excludedCounts(audience.excluded) });
    }
    const { MassMessage, MassRecipient, MassGroup } = massModels(sequelize);
    const title = input.title ?? titleOf(input.content.text);
    const id = await sequelize.transaction(async (transaction) => {
      const row = await MassMessage.create(
        {
          title,
          kind: input.kind,
          status: 'pending_review',
          audience: JSON.stringify(input.kind === 'group' ? input.groups : input.audience),
          content: JSON.stringify(input.content),
          content_hash: contentHash(input.content, product?.id ?? null),
          product_id: product?.id ?? null,
          created_by: caller.access.userId,
          department_id: caller.mainDepartmentId,
        },
        { transaction },
      );
      const massId = row.get().id;
      if (input.kind === 'group') {
        const groups = audience as Awaited<ReturnType<typeof resolveGroupAudience>>;
        const rows = [
          ...groups.included.map((g) => ({ chat_id: g.chatId, name: g.name, member_count: g.memberCount, sender_user_id: g.sender.userId, excluded: null })),
          ...groups.excluded.map((g) => ({ chat_id: g.chatId, name: g.name, member_count: g.memberCount, sender_user_id: null, excluded: g.reason })),
        ].map((r) => ({ ...r, mass_message_id: massId }));
        for (let i = 0; i < rows.length; i += 500) await MassGroup.bulkCreate(rows.slice(i, i + 500), { transaction });
      } else {
        const customers = audience as Awaited<ReturnType<typeof resolveAudience>>;
        const rows = [
          ...customers.included.map((i) => ({
            mass_message_id: massId,
            customer_id: i.customer.id,
            external_userid: i.externalUserid,
            sender_user_id: i.sender.userId,
            excluded: null,
            excluded_detail: null,
            status: null,
          })),
          ...customers.excluded.map((e) => ({
            mass_message_id: massId,
            customer_id: e.customer.id,
            external_userid: null,
            sender_user_id: null,
            excluded: e.reason,
            excluded_detail: e.detail?.slice(0, 128) ?? null,
            status: null,
          })),
        ];
        for (let i = 0; i < rows.length; i += 500) await MassRecipient.bulkCreate(rows.slice(i, i + 500), { transaction });
      }
      await audit(
        sequelize,
        caller.actor,
        {
          action: 'mass_message.create',
          entity: 'mass_message',
          entityId: massId,
          summary: `提交客户群发「${title}」：触达 ${audience.included.length} ${input.kind === 'group' ? '个客户群' : '人'}，排除 ${audience.excluded.length} ${input.kind === 'group' ? '个' : '人'}`,
        },
        { transaction },
      );
      const approvalId = await approvals.submit(
        {
          type: 'mass_message',
          requester: caller,
          subject: { massMessageId: massId, contentHash: row.get().content_hash },
          reason: input.reason ?? `客户群发：${title}`,
        },
        transaction,
      );
      await MassMessage.update({ approval_id: approvalId }, { where: { id: massId }, transaction });
      return massId;
    });
    return this.get(caller.access, id);
  }

  private async load(access: Access, id: number, transaction?: Transaction): Promise<MassMessageRow> {
    const row = (await massModels(this.deps.sequelize).MassMessage.findByPk(id, { transaction }))?.get();
    if (!row) throw notFound('群发不存在');
    const mayRead =
      row.created_by === access.userId ||
      access.dataScope === 'all' ||
      access.permissions.has('mass_message.review') ||
      (await massModels(this.deps.sequelize).MassTask.count({ where: { mass_message_id: id, sender_user_id: access.userId }, transaction })) > 0;
    if (!mayRead) throw notFound('群发不存在');
    return row;
  }

  /** The message's state as people read it: a pending review the approval ended shows its outcome. */
  private async statusOf(row: MassMessageRow): Promise<MassStatus> {
    if (row.status !== 'pending_review' || !row.approval_id) return row.status;
    const [approval] = await this.deps.sequelize.query<{ status: string }>('SELECT status FROM approval_requests WHERE id = ?', {
      replacements: [row.approval_id],
      type: QueryTypes.SELECT,
    });
    if (approval?.status === 'rejected') return 'rejected';
    if (approval?.status === 'withdrawn' || approval?.status === 'expired') return 'withdrawn';
    return 'pending_review';
  }

  async get(access: Access, id: number, options: { refresh?: boolean } = {}): Promise<MassMessageView> {
    const { sequelize } = this.deps;
    let row = await this.load(access, id);
    if (options.refresh && row.status === 'sending') {
      await this.refresh(id);
      row = await this.load(access, id);
    }
    const { MassTask, MassRecipient, MassGroup } = massModels(sequelize);
    const [tasks, recipients, groups] = await Promise.all([
      MassTask.findAll({ where: { mass_message_id: id }, order: [['id', 'ASC']] }).then((r) => r.map((t) => t.get())),
      MassRecipient.findAll({ where: { mass_message_id: id }, order: [['id', 'ASC']] }).then((r) => r.map((t) => t.get())),
      MassGroup.findAll({ where: { mass_message_id: id }, order: [['id', 'ASC']] }).then((r) => r.map((t) => t.get())),
    ]);
    const isGroup = kindOf(row) === 'group';
    const targets: { task_id: number | null; status: RecipientStatus | null; excluded: ExclusionReason | null; sender_user_id: number | null }[] = isGroup
      ? groups
      : recipients;
    const customers = await namesById(
      sequelize,
      'customers',
      recipients.map((r) => r.customer_id),
    );
    const users = await namesById(sequelize, 'users', [row.created_by, ...tasks.map((t) => t.sender_user_id), ...targets.map((r) => r.sender_user_id)]);
    const status = await this.statusOf(row);
    const item = await this.listItem(row, status, targets);
    const excluded = recipients.filter((r) => r.excluded);
    const count = (task: MassTaskRow, s: RecipientStatus) => targets.filter((r) => r.task_id === task.id && r.status === s).length;
    const beforeSending = status === 'pending_review' || status === 'rejected' || status === 'withdrawn';
    const audience = JSON.parse(row.audience) as Record<string, unknown>;
    return {
      ...item,
      audience,
      audienceText: isGroup ? await groupAudienceText(sequelize, audience as GroupAudience) : audienceText(audience as CustomerFilter),
      content: JSON.parse(row.content) as MassContent,
      approvalId: row.approval_id,
      excluded: excluded.map((r) => ({
        customerId: r.customer_id,
        name: customers.get(r.customer_id) ?? '',
        reason: r.excluded!,
        label: EXCLUSION_REASONS[r.excluded!],
        detail: r.excluded_detail,
      })),
      excludedCounts: excludedCounts(targets.filter((r) => r.excluded).map((r) => ({ reason: r.excluded! }))),
      tasks: tasks.map((t) => ({
        id: t.id,
        sender: { id: t.sender_user_id, name: users.get(t.sender_user_id) ?? '' },
        msgid: t.msgid,
        status: t.status === 'new' ? 'failed' : t.status,
        recipients: targets.filter((r) => r.task_id === t.id).length,
        sent: count(t, 'sent'),
        notFriend: count(t, 'not_friend'),
        overLimit: count(t, 'over_limit'),
        pending: count(t, 'pending'),
        error: t.error,
      })),
      recipients: recipients
        .filter((r) => !r.excluded)
        .map((r) => ({
          customerId: r.customer_id,
          name: customers.get(r.customer_id) ?? '',
          sender: users.get(r.sender_user_id ?? 0) ?? '',
          status: r.status ?? 'pending',
          statusLabel: beforeSending ? '未发送（待审核）' : RECIPIENT_STATUSES[r.status ?? 'pending'],
          sentAt: isoOrNull(r.sent_at),
        })),
      groups: groups.map((g): MassGroupView => ({
        chatId: g.chat_id,
        name: g.name || '未命名客户群',
        memberCount: Number(g.member_count),
        sender: users.get(g.sender_user_id ?? 0) ?? '',
        status: g.excluded ? null : (g.status ?? 'pending'),
        statusLabel: g.excluded ? `未发送：${EXCLUSION_REASONS[g.excluded]}` : beforeSending ? '未发送（待审核）' : GROUP_STATUSES[g.status ?? 'pending'],
        excluded: g.excluded,
        sentAt: isoOrNull(g.sent_at),
      })),
      canCancel: status === 'sending' && (row.created_by === access.userId || access.dataScope === 'all'),
      canRemind: status === 'sending' && (row.created_by === access.userId || access.dataScope === 'all'),
      afterSend: await this.afterSend(recipients),
    };
  }

  /**
   * The report's 发送后 7 日内 for one message: per customer it reached, the follow-ups logged on them
   * in the 7 days after their send and their trades from the send's business day to the 7th day
   * after. Labelled correlation: the message is not known to have caused any of it.
   */
  private async afterSend(recipients: MassRecipientRow[]): Promise<MassAfterSend | null> {
    const sent = recipients.filter((r) => r.status === 'sent' && r.sent_at);
    if (!sent.length) return null;
    const dayMs = 86_400_000;
    const windows = new Map(
      sent.map((r) => {
        const from = new Date(r.sent_at!);
        const to = new Date(from.getTime() + AFTER_SEND_DAYS * dayMs);
        return [r.customer_id, { from, to, fromDay: businessDate(from), toDay: businessDate(to) }];
      }),
    );
    const ids = [...windows.keys()];
    const earliest = new Date(Math.min(...[...windows.values()].map((w) => w.from.getTime())));
    const latest = new Date(Math.max(...[...windows.values()].map((w) => w.to.getTime())));
    const followUps: { customer_id: number; followed_at: Date | string }[] = [];
    const trades: { customer_id: number; traded_on: string }[] = [];
    await inSlices(
      ids,
      async (slice) => {
        followUps.push(
          ...(await this.deps.sequelize.query<{ customer_id: number; followed_at: Date | string }>(
            'SELECT customer_id, followed_at FROM follow_ups WHERE customer_id IN (:ids) AND deleted_at IS NULL AND followed_at >= :from AND followed_at <= :to',
            { replacements: { ids: slice, from: earliest, to: latest }, type: QueryTypes.SELECT },
          )),
        );
        trades.push(
          ...(await this.deps.sequelize.query<{ customer_id: number; traded_on: string }>(
            'SELECT customer_id, traded_on FROM trades WHERE customer_id IN (:ids) AND voided_at IS NULL AND traded_on >= :from AND traded_on <= :to',
            { replacements: { ids: slice, from: businessDate(earliest), to: businessDate(latest) }, type: QueryTypes.SELECT },
          )),
        );
        return [];
      },
      1000,
    );
    const inFollowUpWindow = followUps.filter((f) => {
      const w = windows.get(Number(f.customer_id))!;
      const at = new Date(f.followed_at).getTime();
      return at >= w.from.getTime() && at <= w.to.getTime();
    });
    const inTradeWindow = trades.filter((t) => {
      const w = windows.get(Number(t.customer_id))!;
      const day = String(t.traded_on).slice(0, 10);
      return day >= w.fromDay && day <= w.toDay;
    });
    return {
      days: AFTER_SEND_DAYS,
      label: AFTER_SEND_LABEL,
      sentCustomers: sent.length,
      followUps: inFollowUpWindow.length,
      customersFollowedUp: new Set(inFollowUpWindow.map((f) => Number(f.customer_id))).size,
      trades: inTradeWindow.length,
      customersTraded: new Set(inTradeWindow.map((t) => Number(t.customer_id))).size,
    };
  }

  private async listItem(
    row: MassMessageRow,
    status: MassStatus,
    recipients?: { excluded: unknown; status: RecipientStatus | null }[],
  ): Promise<MassMessageListItem> {
    const { sequelize } = this.deps;
    const product = row.product_id ? await loadProduct(sequelize, row.product_id).catch(() => null) : null;
    const users = await namesById(sequelize, 'users', [row.created_by]);
    const { MassRecipient, MassGroup } = massModels(sequelize);
    const where = { mass_message_id: row.id };
    const rs =
      recipients ?? (await (kindOf(row) === 'group' ? MassGroup.findAll({ where }) : MassRecipient.findAll({ where }))).map((r) => r.get() as MassRecipientRow);
    return {
      id: row.id,
      title: row.title,
      kind: kindOf(row),
      kindLabel: MASS_KINDS[kindOf(row)],
      status,
      statusLabel: MASS_STATUSES[status],
      product: product ? { id: product.id, name: product.name, riskLevel: product.risk_level } : null,
      creator: { id: row.created_by, name: users.get(row.created_by) ?? '' },
      reach: rs.filter((r) => !r.excluded).length,
      sent: rs.filter((r) => r.status === 'sent').length,
      createdAt: iso(row.created_at),
    };
  }

  async list(access: Access, page: { page: number; pageSize: number }): Promise<PageOf<MassMessageListItem>> {
    requireManageOrReview(access);
    const { MassMessage } = massModels(this.deps.sequelize);
    const where = access.dataScope === 'all' || access.permissions.has('mass_message.review') ? {} : { created_by: access.userId };
    const { rows, count } = await MassMessage.findAndCountAll({ where, order: [['id', 'DESC']], ...pageWindow(page) });
    const items = [];
    for (const r of rows) items.push(await this.listItem(r.get(), await this.statusOf(r.get())));
    return { items, total: count, ...page };
  }

  /** Approval went through (in its transaction): the message is fixed and its tasks are created once it commits. */
  async approved(massMessageId: number, transaction: Transaction): Promise<void> {
    await massModels(this.deps.sequelize).MassMessage.update(
      { status: 'dispatching' },
      { where: { id: massMessageId, status: 'pending_review' }, transaction },
    );
    transaction.afterCommit(() => {
      const run = this.dispatch(massMessageId).catch((err: unknown) => this.deps.logger.error({ err, massMessageId }, 'mass message dispatch failed'));
      this.running.add(run);
      void run.finally(() => this.running.delete(run));
    });
  }

  /**
   * `POST /api/mass-messages/media`: an image (JPG / PNG, 2 MB) or a document (PDF / Office, 10 MB)
   * for a 群发's attachments, kept with the media (engagement/media.ts) and uploaded to WeCom when sent.
   */
  /** Refuses, before an upload is read, whoever may not create 群发. */
  mayUpload(access: Access): void {
    requireManage(access);
  }

  async upload(caller: Caller, file: { fileName: string; body: Buffer }): Promise<{ id: number; name: string; url: string; kind: 'image' | 'file' }> {
    requireManage(caller.access);
    const image = /\.(png|jpe?g)$/i.test(file.fileName);
    if (image && file.body.length > IMAGE_MAX_BYTES) throw payloadTooLarge('图片不能超过 2 MB');
    const stored = image ? await storeImage(this.deps.sequelize, file, caller.access.userId) : await storeFile(this.deps.sequelize, file, caller.access.userId);
    return { ...stored, kind: image ? 'image' : 'file' };
  }

  /** Waits for the dispatches in flight. */
  async settled(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }

  /**
   * One `add_msg_template` per sender and text (92135): for customers, the sender's customers of
   * this message, at most 10,000 a task; for 客户群 (chat_type group), the owner's groups as
   * `chat_id_list`, at most 2,000 a task, with the owner as the required sender. Idempotent: a
   * row that has its task is not sent again (a retry after a failure creates only the missing
   * ones). Nothing is sent until each member confirms in WeCom: each sender is told so by an app
   * message (notifySenders), and the results are polled in the background (jobs.ts).
   */
  async dispatch(massMessageId: number): Promise<void> {
    const { sequelize, wecom } = this.deps;
    const { MassMessage, MassTask, MassRecipient, MassGroup } = massModels(sequelize);
    const message = (await MassMessage.findByPk(massMessageId))?.get();
    if (!message || (message.status !== 'dispatching' && message.status !== 'dispatch_failed')) return;
    const content = JSON.parse(message.content) as MassContent;
    const group = kindOf(message) === 'group';
    const batches = group ? await this.groupBatches(massMessageId, content) : await this.customerBatches(massMessageId, content);
    type TargetValues = { task_id?: number; status?: RecipientStatus; excluded?: ExclusionReason; sender_user_id?: null };
    const mark = (values: TargetValues, ids: number[], transaction: Transaction) => {
      const options = { where: { id: { [Op.in]: ids } }, transaction };
      return group ? MassGroup.update(values, options) : MassRecipient.update(values, options);
    };
    const perTask = group ? MASS_GROUPS_PER_TASK : MASS_CUSTOMERS_PER_TASK;
    const attachments = await this.attachments(content.attachments);
    let failures = 0;
    for (const batch of batches) {
      for (let i = 0; i < batch.rows.length; i += perTask) {
        const rows = batch.rows.slice(i, i + perTask);
        const task = (
          await MassTask.create({
            mass_message_id: massMessageId,
            sender_user_id: batch.sender.id,
            sender_userid: batch.sender.wecom_userid,
            text: batch.text,
            status: 'new',
          })
        ).get();
        try {
          const answer = await wecom.addMsgTemplate({
            chat_type: group ? 'group' : 'single',
            ...(group ? { chat_id_list: rows.map((r) => r.target) } : { external_userid: rows.map((r) => r.target) }),
            sender: batch.sender.wecom_userid,
            ...(batch.text ? { text: { content: batch.text } } : {}),
            ...(attachments.length ? { attachments } : {}),
          });
          const failed = new Set(answer.fail_list ?? []);
          await sequelize.transaction(async (transaction) => {
            await MassTask.update({ msgid: answer.msgid, status: 'created' }, { where: { id: task.id }, transaction });
            const ok = rows.filter((r) => !failed.has(r.target)).map((r) => r.id);
            const refused = rows.filter((r) => failed.has(r.target)).map((r) => r.id);
            if (ok.length) await mark({ task_id: task.id, status: 'pending' }, ok, transaction);
            if (refused.length) await mark({ excluded: 'wecom_refused', sender_user_id: null }, refused, transaction);
          });
        } catch (err) {
          if (!(err instanceof WecomApiError || err instanceof WecomTransportError)) throw err;
          failures++;
          await MassTask.update({ status: 'failed', error: explainWecomFailure(err).message.slice(0, 255) }, { where: { id: task.id } });
        }
      }
    }
    const anyCreated = (await MassTask.count({ where: { mass_message_id: massMessageId, status: 'created' } })) > 0;
    await sequelize.transaction(async (transaction) => {
      const status = failures && !anyCreated ? 'dispatch_failed' : 'sending';
      await MassMessage.update(
        { status, dispatched_at: new Date(), error: failures ? `${failures} 个任务创建失败` : null },
        { where: { id: massMessageId }, transaction },
      );
      await audit(
        sequelize,
        SYSTEM_ACTOR,
        {
          action: 'mass_message.dispatch',
          entity: 'mass_message',
          entityId: massMessageId,
          summary: `客户群发「${message.title}」已创建企业微信群发任务${failures ? `，${failures} 个失败` : ''}，等待成员确认发送`,
        },
        { transaction },
      );
      if (status === 'sending') {
        await notifySenders(sequelize, { ...message, kind: kindOf(message) }, transaction);
        await schedulePoll(sequelize, massMessageId, transaction);
      }
    });
  }

  /** A customer message's batches: per sender and text ({称呼} makes texts differ; WeCom sends one text per task). */
  private async customerBatches(massMessageId: number, content: MassContent): Promise<Batch[]> {
    const { sequelize } = this.deps;
    const recipients = (await massModels(sequelize).MassRecipient.findAll({ where: { mass_message_id: massMessageId, excluded: null, task_id: null } })).map(
      (r) => r.get(),
    );
    const customers = new Map(
      (
        await sequelize.query<CustomerRow>(`SELECT * FROM customers WHERE id IN (:ids)`, {
          replacements: { ids: [0, ...recipients.map((r) => r.customer_id)] },
          type: QueryTypes.SELECT,
        })
      ).map((c) => [Number(c.id), c]),
    );
    const senders = await this.sendersById(recipients.map((r) => r.sender_user_id));
    const batches = new Map<string, Batch>();
    for (const r of recipients) {
      const sender = senders.get(r.sender_user_id ?? 0);
      const customer = customers.get(r.customer_id);
      if (!sender || !customer) continue;
      const text = content.text ? textFor(content.text, customer, sender.name) : '';
      const key = `${sender.id}\u0000${text}`;
      const batch = batches.get(key) ?? { sender, text, rows: [] };
      batch.rows.push({ id: r.id, target: r.external_userid! });
      batches.set(key, batch);
    }
    return [...batches.values()];
  }

  /** A group message's batches: per owner, their groups (92135: the sender of a group task is the owner). */
  private async groupBatches(massMessageId: number, content: MassContent): Promise<Batch[]> {
    const groups = (
      await massModels(this.deps.sequelize).MassGroup.findAll({
        where: { mass_message_id: massMessageId, excluded: null, task_id: null },
        order: [['id', 'ASC']],
      })
    ).map((r) => r.get());
    const senders = await this.sendersById(groups.map((g) => g.sender_user_id));
    const batches = new Map<number, Batch>();
    for (const g of groups) {
      const sender = senders.get(g.sender_user_id ?? 0);
      if (!sender) continue;
      const batch = batches.get(sender.id) ?? { sender, text: content.text ? groupText(content.text, sender.name) : '', rows: [] };
      batch.rows.push({ id: g.id, target: g.chat_id });
      batches.set(sender.id, batch);
    }
    return [...batches.values()];
  }

  private async sendersById(ids: (number | null)[]): Promise<Map<number, Batch['sender']>> {
    const rows = await this.deps.sequelize.query<Batch['sender']>('SELECT id, wecom_userid, name FROM users WHERE id IN (:ids)', {
      replacements: { ids: [0, ...ids.map((id) => id ?? 0)] },
      type: QueryTypes.SELECT,
    });
    return new Map(rows.map((s) => [Number(s.id), { ...s, id: Number(s.id) }]));
  }

  /** 92135 attachments: a link as it is, an image or a file by a live media_id, a mini-program with its picture's. */
  private async attachments(list: MassContent['attachments']): Promise<MassAttachment[]> {
    const out: MassAttachment[] = [];
    for (const a of list) {
      if (a.type === 'link')
        out.push({ msgtype: 'link', link: { title: a.title, url: a.url, ...(a.desc ? { desc: a.desc } : {}), ...(a.picUrl ? { picurl: a.picUrl } : {}) } });
      else if (a.type === 'image') out.push({ msgtype: 'image', image: { media_id: await wecomMediaId(this.deps.sequelize, this.deps.wecom, a.mediaFileId) } });
      else if (a.type === 'file') out.push({ msgtype: 'file', file: { media_id: await wecomMediaId(this.deps.sequelize, this.deps.wecom, a.mediaFileId) } });
      else
        out.push({
          msgtype: 'miniprogram',
          miniprogram: { title: a.title, appid: a.appid, page: a.page, pic_media_id: await wecomMediaId(this.deps.sequelize, this.deps.wecom, a.mediaFileId) },
        });
    }
    return out;
  }

  /**
   * Reads WeCom's results back (93338) for the tasks not yet sent, oldest first and at most
   * `limit` of them: per task one get_groupmsg_task (its member's state), and only once the member
   * has sent, get_groupmsg_send_result (per customer or per 客户群) — a task not yet confirmed has
   * nothing to read, so waiting costs one call a task. Returns the tasks still waiting.
   */
  async refresh(massMessageId: number, limit = Number.POSITIVE_INFINITY): Promise<number> {
    const { sequelize, wecom } = this.deps;
    const { MassMessage, MassTask, MassRecipient, MassGroup } = massModels(sequelize);
    const message = (await MassMessage.findByPk(massMessageId))?.get();
    if (!message) return 0;
    const group = kindOf(message) === 'group';
    const tasks = (
      await MassTask.findAll({
        where: { mass_message_id: massMessageId, status: 'created' },
        order: [
          ['updated_at', 'ASC'],
          ['id', 'ASC'],
        ],
      })
    ).map((t) => t.get());
    for (const task of tasks.slice(0, limit)) {
      const states = await wecom.groupMsgTasks(task.msgid!);
      const mine = states.find((s) => s.userid === task.sender_userid);
      if (mine?.status !== 2) {
        // Read and still waiting: to the back of the line (updated_at), so a capped round reads the others next.
        await MassTask.update({ status: 'created' }, { where: { id: task.id } });
        continue;
      }
      const results = await wecom.groupMsgSendResults(task.msgid!, task.sender_userid);
      await sequelize.transaction(async (transaction) => {
        for (const r of results) {
          const values = { status: WECOM_STATUS[r.status] ?? 'pending', sent_at: r.send_time ? new Date(r.send_time * 1000) : null };
          if (group) await MassGroup.update(values, { where: { task_id: task.id, chat_id: r.chat_id ?? '' }, transaction });
          else await MassRecipient.update(values, { where: { task_id: task.id, external_userid: r.external_userid ?? '' }, transaction });
        }
        await MassTask.update(
          { status: 'sent', sent_at: mine.send_time ? new Date(mine.send_time * 1000) : new Date() },
          { where: { id: task.id }, transaction },
        );
      });
    }
    const open = await MassTask.count({ where: { mass_message_id: massMessageId, status: 'created' } });
    if (open === 0 && message.status === 'sending') await MassMessage.update({ status: 'done' }, { where: { id: massMessageId } });
    return open;
  }

  /** The background poll gave up (jobs.ts, POLL_FOR_MS): who still waits reads 成员未确认 until a read shows otherwise. */
  async stopWaiting(massMessageId: number): Promise<void> {
    const { MassTask, MassRecipient, MassGroup } = massModels(this.deps.sequelize);
    const open = (await MassTask.findAll({ where: { mass_message_id: massMessageId, status: 'created' } })).map((t) => t.get().id);
    if (!open.length) return;
    const where = { task_id: { [Op.in]: open }, status: 'pending' };
    await MassRecipient.update({ status: 'unconfirmed' }, { where });
    await MassGroup.update({ status: 'unconfirmed' }, { where });
  }

  /** 97611: stops the tasks no member has sent; what was sent stays sent, the rest is never sent. */
  async cancel(caller: Caller, id: number): Promise<MassMessageView> {
    const row = await this.load(caller.access, id);
    if (row.created_by !== caller.access.userId && caller.access.dataScope !== 'all') throw forbidden('只能取消自己发起的群发');
    if (row.status !== 'sending') throw conflict('只有等待成员发送的群发可以取消', { code: 'mass_not_cancellable' });
    const { sequelize, wecom } = this.deps;
    await this.refresh(id);
    const { MassMessage, MassTask, MassRecipient, MassGroup } = massModels(sequelize);
    const open = (await MassTask.findAll({ where: { mass_message_id: id, status: 'created' } })).map((t) => t.get());
    for (const task of open) await wecom.cancelGroupMsgSend(task.msgid!);
    await sequelize.transaction(async (transaction) => {
      if (open.length) {
        await MassTask.update({ status: 'cancelled' }, { where: { id: { [Op.in]: open.map((t) => t.id) } }, transaction });
        const where = { task_id: { [Op.in]: open.map((t) => t.id) }, status: 'pending' };
        await MassRecipient.update({ status: 'cancelled' }, { where, transaction });
        await MassGroup.update({ status: 'cancelled' }, { where, transaction });
      }
      await MassMessage.update({ status: 'cancelled', cancelled_at: new Date() }, { where: { id }, transaction });
      await audit(
        sequelize,
        caller.actor,
        { action: 'mass_message.cancel', entity: 'mass_message', entityId: id, summary: `取消客户群发「${row.title}」（${open.length} 个任务未发送）` },
        { transaction },
      );
    });
    return this.get(caller.access, id);
  }

  /** 97610: WeCom reminds the members again (at most three times a day per message). */
  async remind(caller: Caller, id: number): Promise<{ reminded: number }> {
    const row = await this.load(caller.access, id);
    if (row.status !== 'sending') throw conflict('只有等待成员发送的群发可以提醒', { code: 'mass_not_sending' });
    const { sequelize, wecom } = this.deps;
    await this.refresh(id);
    const open = (await massModels(sequelize).MassTask.findAll({ where: { mass_message_id: id, status: 'created' } })).map((t) => t.get());
    for (const task of open) await wecom.remindGroupMsgSend(task.msgid!);
    await audit(sequelize, caller.actor, {
      action: 'mass_message.remind',
      entity: 'mass_message',
      entityId: id,
      summary: `提醒 ${open.length} 位成员发送群发「${row.title}」`,
    });
    return { reminded: open.length };
  }

  /** `POST /api/mass-messages/:id/dispatch`: tasks that failed to be created are created again. */
  async retryDispatch(caller: Caller, id: number): Promise<MassMessageView> {
    const row = await this.load(caller.access, id);
    if (row.status !== 'dispatch_failed' && row.status !== 'sending') throw conflict('这条群发没有创建失败的任务', { code: 'mass_nothing_to_retry' });
    const { MassTask, MassMessage } = massModels(this.deps.sequelize);
    await MassTask.destroy({ where: { mass_message_id: id, status: 'failed' } });
    await MassMessage.update({ status: 'dispatching' }, { where: { id } });
    await this.dispatch(id);
    return this.get(caller.access, id);
  }

  /** A rep's 待发送: tasks of theirs WeCom waits for them to confirm. */
  async pending(access: Access): Promise<PendingSendItem[]> {
    const rows = await this.deps.sequelize.query<{
      id: number;
      mass_message_id: number;
      kind: MassKind | null;
      title: string;
      text: string;
      created_at: Date | string;
      n: number | string;
      g: number | string;
    }>(
      `SELECT t.id, t.mass_message_id, m.kind, m.title, t.text, t.created_at,
              (SELECT COUNT(*) FROM mass_message_recipients r WHERE r.task_id = t.id) AS n,
              (SELECT COUNT(*) FROM mass_message_groups g WHERE g.task_id = t.id) AS g
         FROM mass_message_tasks t JOIN mass_messages m ON m.id = t.mass_message_id
        WHERE t.sender_user_id = ? AND t.status = 'created' AND m.status = 'sending'
        ORDER BY t.id DESC`,
      { replacements: [access.userId], type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({
      taskId: Number(r.id),
      massMessageId: Number(r.mass_message_id),
      kind: r.kind ?? 'customer',
      title: r.title,
      text: r.text,
      recipients: r.kind === 'group' ? Number(r.g) : Number(r.n),
      createdAt: iso(r.created_at),
    }));
  }

  /**
   * Per sender: tasks, how many they confirmed, reach, customers (or 客户群) sent to, confirmation
   * rate. A task is either a customer task or a group task, so joining both lists counts each once.
   */
  async report(access: Access): Promise<MassReportRow[]> {
    requireManageOrReview(access);
    const rows = await this.deps.sequelize.query<{
      sender_user_id: number;
      name: string;
      tasks: number | string;
      confirmed: number | string;
      reach: number | string;
      sent: number | string;
    }>(
      `SELECT t.sender_user_id, u.name, COUNT(DISTINCT t.id) AS tasks,
              COUNT(DISTINCT CASE WHEN t.status = 'sent' THEN t.id END) AS confirmed,
              COUNT(r.id) + COUNT(g.id) AS reach,
              SUM(CASE WHEN r.status = 'sent' OR g.status = 'sent' THEN 1 ELSE 0 END) AS sent
         FROM mass_message_tasks t JOIN users u ON u.id = t.sender_user_id
         LEFT JOIN mass_message_recipients r ON r.task_id = t.id
         LEFT JOIN mass_message_groups g ON g.task_id = t.id
        WHERE t.status IN ('created', 'sent', 'cancelled')
        GROUP BY t.sender_user_id, u.name
        ORDER BY u.name`,
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({
      sender: { id: Number(r.sender_user_id), name: r.name },
      tasks: Number(r.tasks),
      confirmed: Number(r.confirmed),
      reach: Number(r.reach),
      sent: Number(r.sent ?? 0),
      confirmationRate: Number(r.tasks) ? Math.round((Number(r.confirmed) / Number(r.tasks)) * 1000) / 1000 : 0,
    }));
  }

  async segments(access: Access) {
    requireManage(access);
    const rows = await massModels(this.deps.sequelize).MassSegment.findAll({ where: { created_by: access.userId }, order: [['id', 'DESC']] });
    return rows.map((r) => ({ id: r.get().id, name: r.get().name, filter: JSON.parse(r.get().filter) as CustomerFilter, createdAt: iso(r.get().created_at) }));
  }

  async saveSegment(caller: Caller, input: SegmentInput) {
    requireManage(caller.access);
    const { sequelize } = this.deps;
    const row = await sequelize.transaction(async (transaction) => {
      const created = await massModels(sequelize).MassSegment.create(
        { name: input.name, filter: JSON.stringify(input.filter), created_by: caller.access.userId },
        { transaction },
      );
      await audit(
        sequelize,
        caller.actor,
        { action: 'mass_segment.save', entity: 'mass_segment', entityId: created.get().id, summary: `保存群发人群「${input.name}」` },
        { transaction },
      );
      return created.get();
    });
    return { id: row.id, name: row.name, filter: input.filter, createdAt: iso(row.created_at) };
  }

  async deleteSegment(caller: Caller, id: number): Promise<void> {
    const { sequelize } = this.deps;
    const row = (await massModels(sequelize).MassSegment.findByPk(id))?.get();
    if (!row || row.created_by !== caller.access.userId) throw notFound('人群不存在');
    await sequelize.transaction(async (transaction) => {
      await massModels(sequelize).MassSegment.destroy({ where: { id }, transaction });
      await audit(
        sequelize,
        caller.actor,
        { action: 'mass_segment.delete', entity: 'mass_segment', entityId: id, summary: `删除群发人群「${row.name}」` },
        { transaction },
      );
    });
  }
}

function requireManageOrReview(access: Access): void {
  if (!access.permissions.has('mass_message.manage') && !access.permissions.has('mass_message.review')) throw forbidden('没有客户群发的权限（客户群发）');
}

// Every field of the filter, or the compiler says which is missing.
const FILTER_LABELS: Record<keyof CustomerFilter, string> = {
  keyword: '关键词',
  ownerUserId: '负责人',
  departmentId: '部门',
  lifecycleStage: '客户阶段',
  level: '客户等级',
  source: '客户来源',
  followUp: '跟进',
  noFollowUpDays: '未跟进天数',
  tagId: '标签',
  channel: '渠道活码',
  riskLevel: '风险等级',
  riskValidity: '测评状态',
  productId: '持有产品',
  productCategory: '持有产品类别',
  aumMin: '资产不低于（元）',
  aumBelow: '资产低于（元）',
  ids: '所选客户',
};

/** A group audience in one line of Chinese, with the owner's and department's names. */
export async function groupAudienceText(sequelize: Sequelize, filter: GroupAudience): Promise<string> {
  const parts = ['客户群'];
  if (filter.ownerUserId) parts.push(`群主：${(await namesById(sequelize, 'users', [filter.ownerUserId])).get(filter.ownerUserId) ?? ''}`);
  if (filter.departmentId) parts.push(`部门：${(await namesById(sequelize, 'departments', [filter.departmentId])).get(filter.departmentId) ?? ''}`);
  if (filter.name) parts.push(`群名含：${filter.name}`);
  return parts.length > 1 ? parts.join('；') : '可见范围内全部客户群';
}

/** The filter in one line of Chinese (codes as they are: the request's page shows names where it has them). */
export function audienceText(filter: CustomerFilter): string {
  const parts = Object.entries(filter)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${FILTER_LABELS[k as keyof CustomerFilter] ?? k}：${String(v)}`);
  return parts.length ? parts.join('；') : '可见范围内全部客户';
}
