/**
 * One customer's history, newest first: follow-ups, trades (buys, redemptions, dividends…), lifecycle stage
 * changes, WeCom link events (linked, relinked, unlinked, lost), owner changes (transfers), 商机 stage moves and 公海 stays (entered, claimed or assigned). The page is cut in SQL over a
 * UNION of (kind, id, time); each kind's rows are then loaded by id. Trades and sales carry a
 * business date, not a time: they sort at the start of that day.
 */
// Raw SQL on other modules' tables, on purpose: the page is cut in SQL over a UNION of every kind's (kind,
// id, time), which needs one ORDER BY … LIMIT across the tables of follow-ups, trades, matching
// and the mirror; a read per module could not page it.
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { TimelineEntry, TimelineKind } from '@shared/customers';
import { POOL_ENTRY_KINDS, POOL_WECOM_STATES, type PoolEntryKind, type PoolWecomState } from '@shared/customer-pool';
import type { PageOf } from '@shared/http';
import { moneyText, sharesText } from '@shared/format';
import { fromHundredths } from '@shared/money';
import { MATCHED_BY, type MatchedBy } from '@shared/matching';
import { TRADE_CHANNELS, TRADE_KINDS } from '@shared/ledger';
import { dateOnlyOrNull, iso, isoOrNull, namesById, named } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { listDictionaries } from '../dictionaries/service';
import { followUpModels } from '../follow-ups/models';
import type { Access } from '../roles/access';
import { tradeModels } from '../trades/models';
import { stageChangeModels } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';

const UNION = `
  SELECT 'follow_up' AS kind, id, followed_at AS at FROM follow_ups WHERE customer_id = :id AND deleted_at IS NULL
  UNION ALL
  SELECT 'trade', id, traded_on FROM trades WHERE customer_id = :id AND voided_at IS NULL
  UNION ALL
  SELECT 'stage_change', id, changed_at FROM customer_stage_changes WHERE customer_id = :id
  UNION ALL
  SELECT 'wecom_link', id, at FROM customer_wecom_link_events WHERE customer_id = :id
  UNION ALL
  SELECT 'owner_change', id, at FROM customer_owner_changes WHERE customer_id = :id
  UNION ALL
  SELECT 'opportunity', id, at FROM opportunity_stage_changes WHERE customer_id = :id
  UNION ALL
  SELECT 'pool_entry', id, entered_at FROM customer_pool_entries WHERE customer_id = :id
  UNION ALL
  SELECT 'pool_exit', id, left_at FROM customer_pool_entries WHERE customer_id = :id AND left_at IS NOT NULL
  UNION ALL
  SELECT 'mass_message', id, sent_at FROM mass_message_recipients WHERE customer_id = :id AND status = 'sent'`;

/** A business date shown as the start of that China day. */
type LinkEvent = 'linked' | 'relinked' | 'unlinked' | 'lost';
const LINK_EVENTS: Record<LinkEvent, string> = { linked: '关联', relinked: '改为关联', unlinked: '取消关联', lost: '失去' };

const startOfChinaDay = (date: string) => new Date(`${date}T00:00:00+08:00`).toISOString();
const excerpt = (text: string, max = 60) => (text.length > max ? `${text.slice(0, max)}…` : text);

export async function customerTimeline(sequelize: Sequelize, access: Access, customerId: number, page: PageRequest): Promise<PageOf<TimelineEntry>> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const { limit, offset } = pageWindow(page);
  const [keys, [count]] = await Promise.all([
    sequelize.query<{ kind: TimelineKind; id: number }>(`SELECT kind, id FROM (${UNION}) t ORDER BY at DESC, kind ASC, id DESC LIMIT :limit OFFSET :offset`, {
      replacements: { id: customerId, limit, offset },
      type: QueryTypes.SELECT,
    }),
    sequelize.query<{ n: number }>(`SELECT COUNT(*) AS n FROM (${UNION}) t`, { replacements: { id: customerId }, type: QueryTypes.SELECT }),
  ]);
  const idsOf = (kind: TimelineKind) => keys.filter((k) => k.kind === kind).map((k) => Number(k.id));
  const entries = new Map<string, TimelineEntry>();
  const put = (entry: TimelineEntry) => entries.set(`${entry.kind}:${entry.id}`, entry);
  const userIds: (number | null)[] = [];
  const dictionaries = await listDictionaries(sequelize);
  const label = (type: keyof typeof dictionaries, code: string | null) => dictionaries[type].find((v) => v.code === code)?.label ?? code ?? '';

  const { FollowUp } = followUpModels(sequelize);
  const { Trade } = tradeModels(sequelize);
  const { StageChange } = stageChangeModels(sequelize);
  const poolIds = [...new Set([...idsOf('pool_entry'), ...idsOf('pool_exit')])];
  const [followUps, trades, stages, links, handovers, opportunityMoves, poolStays] = await Promise.all([
    FollowUp.findAll({ where: { id: { [Op.in]: idsOf('follow_up') } } }),
    Trade.findAll({ where: { id: { [Op.in]: idsOf('trade') } } }),
    StageChange.findAll({ where: { id: { [Op.in]: idsOf('stage_change') } } }),
    idsOf('wecom_link').length
      ? sequelize.query<{
          id: number;
          external_userid: string;
          event: LinkEvent;
          matched_by: MatchedBy | null;
          user_id: number | null;
          at: Date | string;
          detail: string | null;
          name: string | null;
        }>(
          `SELECT e.id, e.external_userid, e.event, e.matched_by, e.user_id, e.at, e.detail, c.name
             FROM customer_wecom_link_events e LEFT JOIN wecom_external_contacts c ON c.external_userid = e.external_userid
            WHERE e.id IN (:ids)`,
          { replacements: { ids: idsOf('wecom_link') }, type: QueryTypes.SELECT },
        )
      : [],
    idsOf('owner_change').length
      ? sequelize.query<{ id: number; from_user_id: number; to_user_id: number; changed_by: number | null; at: Date | string }>(
          'SELECT id, from_user_id, to_user_id, changed_by, at FROM customer_owner_changes WHERE id IN (:ids)',
          { replacements: { ids: idsOf('owner_change') }, type: QueryTypes.SELECT },
        )
      : [],
    idsOf('opportunity').length
      ? sequelize.query<{
          id: number;
          opportunity_id: number;
          name: string;
          from_stage: string | null;
          to_stage: string;
          changed_by: number | null;
          at: Date | string;
        }>(
          `SELECT s.id, s.opportunity_id, o.name, s.from_stage, s.to_stage, s.changed_by, s.at
             FROM opportunity_stage_changes s JOIN opportunities o ON o.id = s.opportunity_id WHERE s.id IN (:ids)`,
          { replacements: { ids: idsOf('opportunity') }, type: QueryTypes.SELECT },
        )
      : [],
    poolIds.length
      ? sequelize.query<{
          id: number;
          name: string;
          kind: PoolEntryKind;
          reason: string | null;
          entered_by: number | null;
          entered_at: Date | string;
          left_at: Date | string | null;
          left_how: string | null;
          taken_by: number | null;
          wecom_state: PoolWecomState | null;
        }>(
          `SELECT e.id, p.name, e.kind, e.reason, e.entered_by, e.entered_at, e.left_at, e.left_how, e.taken_by, e.wecom_state
             FROM customer_pool_entries e JOIN customer_pools p ON p.id = e.pool_id WHERE e.id IN (:ids)`,
          { replacements: { ids: poolIds }, type: QueryTypes.SELECT },
        )
      : [],
  ]);
  const products = await namesById(
    sequelize,
    'products',
    trades.map((t) => t.get().product_id),
  );
  const partners = await namesById(
    sequelize,
    'consignment_partners',
    trades.map((t) => t.get().partner_id),
  );

  for (const f of followUps.map((r) => r.get())) {
    userIds.push(f.user_id);
    put({
      kind: 'follow_up',
      id: f.id,
      at: iso(f.followed_at),
      user: { id: f.user_id, name: '' },
      summary: `${label('follow_up_channel', f.channel)}：${excerpt(f.content)}`,
      data: { channel: f.channel, content: f.content, outcome: f.outcome, nextAction: f.next_action, nextFollowUpAt: isoOrNull(f.next_follow_up_at) },
    });
  }
  for (const t of trades.map((x) => x.get())) {
    userIds.push(t.rep_user_id);
    const tradedOn = dateOnlyOrNull(t.traded_on)!;
    const via = t.partner_id === null ? '' : `（${partners.get(t.partner_id) ?? ''}）`;
    const money = t.amount_fen ? ` ${moneyText(fromHundredths(t.amount_fen))}` : ` ${sharesText(fromHundredths(t.shares_hundredths), true)}`;
    put({
      kind: 'trade',
      id: t.id,
      at: startOfChinaDay(tradedOn),
      dateOnly: true,
      user: t.rep_user_id === null ? null : { id: t.rep_user_id, name: '' },
      summary: `${TRADE_KINDS[t.kind]} ${products.get(t.product_id) ?? ''}${money}${t.kind === 'buy' ? `（${TRADE_CHANNELS[t.channel]}${via}）` : ''}`,
      data: {
        tradeKind: t.kind,
        productId: t.product_id,
        amount: fromHundredths(t.amount_fen),
        shares: fromHundredths(t.shares_hundredths),
        channel: t.channel,
        partnerId: t.partner_id,
        tradedOn,
      },
    });
  }
  for (const c of stages.map((x) => x.get())) {
    userIds.push(c.changed_by);
    put({
      kind: 'stage_change',
      id: c.id,
      at: iso(c.changed_at),
      user: c.changed_by === null ? null : { id: c.changed_by, name: '' },
      summary:
        c.from_stage === null
          ? `新建客户：${label('lifecycle_stage', c.to_stage)}`
          : `阶段：${label('lifecycle_stage', c.from_stage)} → ${label('lifecycle_stage', c.to_stage)}`,
      data: { from: c.from_stage, to: c.to_stage },
    });
  }
  for (const l of links) {
    const userId = l.user_id === null ? null : Number(l.user_id);
    userIds.push(userId);
    const who = l.name ?? l.external_userid;
    const how = l.matched_by ? `（${MATCHED_BY[l.matched_by]}）` : '';
    put({
      kind: 'wecom_link',
      id: Number(l.id),
      at: iso(l.at),
      user: userId === null ? null : { id: userId, name: '' },
      summary: `${LINK_EVENTS[l.event]}企业微信联系人 ${who}${l.event === 'unlinked' || l.event === 'lost' ? '' : how}${l.detail ? `：${l.detail}` : ''}`,
      data: { externalUserId: l.external_userid, event: l.event, matchedBy: l.matched_by },
    });
  }
  const owners = await namesById(
    sequelize,
    'users',
    handovers.flatMap((h) => [Number(h.from_user_id), Number(h.to_user_id)]),
  );
  for (const h of handovers) {
    const by = h.changed_by === null ? null : Number(h.changed_by);
    userIds.push(by);
    put({
      kind: 'owner_change',
      id: Number(h.id),
      at: iso(h.at),
      user: by === null ? null : { id: by, name: '' },
      summary: `负责人：${owners.get(Number(h.from_user_id)) ?? ''} → ${owners.get(Number(h.to_user_id)) ?? ''}`,
      data: { fromUserId: Number(h.from_user_id), toUserId: Number(h.to_user_id) },
    });
  }
  for (const m of opportunityMoves) {
    const by = m.changed_by === null ? null : Number(m.changed_by);
    userIds.push(by);
    put({
      kind: 'opportunity',
      id: Number(m.id),
      at: iso(m.at),
      user: by === null ? null : { id: by, name: '' },
      summary:
        m.from_stage === null
          ? `新建商机「${m.name}」：${label('opportunity_stage', m.to_stage)}`
          : `商机「${m.name}」：${label('opportunity_stage', m.from_stage)} → ${label('opportunity_stage', m.to_stage)}`,
      data: { opportunityId: Number(m.opportunity_id), from: m.from_stage, to: m.to_stage },
    });
  }
  const takers = await namesById(
    sequelize,
    'users',
    poolStays.map((p) => (p.taken_by === null ? null : Number(p.taken_by))),
  );
  for (const p of poolStays) {
    const by = p.entered_by === null ? null : Number(p.entered_by);
    userIds.push(by);
    put({
      kind: 'pool_entry',
      id: Number(p.id),
      at: iso(p.entered_at),
      user: by === null ? null : { id: by, name: '' },
      summary: `${POOL_ENTRY_KINDS[p.kind]}，进入${p.name}${p.reason ? `：${p.reason}` : ''}`,
      data: { kind: p.kind, reason: p.reason },
    });
    if (p.left_at === null) continue;
    const taker = p.taken_by === null ? null : Number(p.taken_by);
    userIds.push(taker);
    put({
      kind: 'pool_exit',
      id: Number(p.id),
      at: iso(p.left_at),
      user: taker === null ? null : { id: taker, name: '' },
      summary:
        p.left_how === 'merged'
          ? '合并客户，离开公海'
          : `${p.left_how === 'assigned' ? '从公海分配给' : '从公海领取：'}${taker === null ? '' : (takers.get(taker) ?? '')}${p.wecom_state ? `（${POOL_WECOM_STATES[p.wecom_state]}）` : ''}`,
      data: { how: p.left_how, takenBy: taker, wecom: p.wecom_state },
    });
  }
  // What 客户群发 sent them (server/README.md#客户群发): the text as this customer got it.
  const massSent = idsOf('mass_message').length
    ? await sequelize.query<{ id: number; sent_at: Date | string; title: string; text: string; sender_user_id: number }>(
        `SELECT r.id, r.sent_at, m.title, t.text, t.sender_user_id
           FROM mass_message_recipients r JOIN mass_messages m ON m.id = r.mass_message_id JOIN mass_message_tasks t ON t.id = r.task_id
          WHERE r.id IN (:ids)`,
        { replacements: { ids: idsOf('mass_message') }, type: QueryTypes.SELECT },
      )
    : [];
  for (const m of massSent) {
    userIds.push(Number(m.sender_user_id));
    put({
      kind: 'mass_message',
      id: Number(m.id),
      at: iso(m.sent_at),
      user: { id: Number(m.sender_user_id), name: '' },
      summary: `收到客户群发「${m.title}」：${excerpt(m.text || '（附件）')}`,
      data: { title: m.title, text: m.text },
    });
  }
  const users = await namesById(sequelize, 'users', userIds);
  const items = keys.map((k) => {
    const entry = entries.get(`${k.kind}:${Number(k.id)}`)!;
    return entry.user ? { ...entry, user: named(users, entry.user.id) } : entry;
  });
  return { items, total: Number(count?.n ?? 0), ...page };
}
