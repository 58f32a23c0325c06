/**
 * 商机 (server/README.md#opportunities-商机): created for a customer in the caller's scope, scoped
 * like customers (owner and department columns of its own), moved through the `opportunity_stage`
 * dictionary. Every stage entered is a row of `opportunity_stage_changes` (the customer's timeline,
 * the funnel's conversion). 成交 books the buy through the trade ledger's `writeTrade` in the same
 * transaction — suitability and every other rule of a buy apply, and a refused buy leaves the
 * opportunity where it was; 输单 needs a reason from `opportunity_loss_reason`. A closed
 * opportunity (成交 or 输单) moves no more.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { DictionaryValue } from '@shared/dictionaries';
import type { PageOf } from '@shared/http';
import type { TradeInput } from '@shared/ledger';
import { fromHundredths, toHundredths } from '@shared/money';
import {
  LOST_STAGE,
  WON_STAGE,
  isClosedStage,
  weightedFen,
  type OpportunityCreateInput,
  type OpportunityPatch,
  type OpportunityView,
} from '@shared/opportunities';
import { businessDate } from '@shared/time';
import { dateOnlyOrNull, iso, isoOrNull, namesById, named } from '../../db/lookup';
import { pageWindow, type PageRequest } from '../../db/paging';
import { DomainError, invalidField, notFound, whenNotFound } from '../../errors';
import { audit } from '../audit/service';
import { loadVisibleCustomer } from '../customers/service';
import { listDictionaries } from '../dictionaries/service';
import { loadVisiblePartner } from '../partners/service';
import { productModels } from '../products/models';
import { scopeWhere, type Access } from '../roles/access';
import { resolveOwnership, type Caller } from '../roles/ownership';
import { customerFromBody, inLedgerTransaction, writeTrade } from '../trades/ledger';
import { opportunityModels, type OpportunityRow } from './models';

export interface Stage extends DictionaryValue {
  probability: number;
}

/** The stages as 字典 has them now, in order, each with its probability (a stage without one weighs 0). */
export async function opportunityStages(sequelize: Sequelize): Promise<Stage[]> {
  return (await listDictionaries(sequelize)).opportunity_stage.map((s) => ({ ...s, probability: s.probability ?? 0 }));
}

const closedError = () => new DomainError('conflict', 'conflict', '商机已成交或输单，不能再修改');

async function checkProducts(sequelize: Sequelize, ids: readonly number[], transaction?: Transaction): Promise<void> {
  const found = await productModels(sequelize).Product.count({ where: { id: { [Op.in]: [...new Set(ids)] } }, transaction });
  if (found !== new Set(ids).size) throw invalidField('productIds', '产品不存在');
}

async function checkPartner(sequelize: Sequelize, access: Access, partnerId: number | null | undefined, transaction?: Transaction) {
  if (partnerId === null || partnerId === undefined) return;
  await loadVisiblePartner(sequelize, access, partnerId, transaction).catch(
    whenNotFound(() => invalidField('partnerId', '代销机构不存在或不在你的数据范围内')),
  );
}

/** An open stage a caller may put an opportunity in: on file and enabled (a closing stage only through its own rules). */
function openStage(stages: Stage[], code: string, field = 'stage'): Stage {
  const stage = stages.find((s) => s.code === code && s.enabled);
  if (!stage)
    throw invalidField(
      field,
      `商机阶段只能是：${stages
        .filter((s) => s.enabled)
        .map((s) => s.label)
        .join('、')}`,
    );
  return stage;
}

export async function createOpportunity(sequelize: Sequelize, caller: Caller, input: OpportunityCreateInput): Promise<OpportunityView> {
  const stages = await opportunityStages(sequelize);
  const stageCode = input.stage ?? stages.find((s) => s.enabled && !isClosedStage(s.code))?.code ?? 'initial';
  if (isClosedStage(stageCode)) throw invalidField('stage', '新商机不能直接成交或输单');
  openStage(stages, stageCode);
  const id = await sequelize.transaction(async (transaction) => {
    const customer = await loadVisibleCustomer(sequelize, caller.access, input.customerId, transaction).catch(customerFromBody);
    await checkPartner(sequelize, caller.access, input.partnerId, transaction);
    await checkProducts(sequelize, input.productIds, transaction);
    // The owner: the one asked for, else the customer's (a manager opening one for a rep's customer), else the caller.
    const ownerUserId = input.ownerUserId ?? customer.owner_user_id;
    const owner = await resolveOwnership(sequelize, caller, { ownerUserId }, { owner: 'ownerUserId', department: 'departmentId' }, transaction);
    const now = new Date();
    const { Opportunity, StageChange } = opportunityModels(sequelize);
    const row = (
      await Opportunity.create(
        {
          name: input.name,
          customer_id: customer.id,
          partner_id: input.partnerId ?? null,
          product_ids: JSON.stringify([...new Set(input.productIds)]),
          expected_amount_fen: toHundredths(input.expectedAmount),
          stage: stageCode,
          expected_on: input.expectedOn,
          next_step: input.nextStep ?? null,
          owner_user_id: owner.ownerUserId,
          department_id: owner.departmentId,
          loss_reason: null,
          loss_note: null,
          trade_id: null,
          stage_changed_at: now,
          closed_at: null,
          created_by: caller.access.userId,
        },
        { transaction },
      )
    ).get();
    await StageChange.create(
      { opportunity_id: row.id, customer_id: customer.id, from_stage: null, to_stage: stageCode, changed_by: caller.access.userId, at: now },
      { transaction },
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'opportunity.create',
        entity: 'opportunity',
        entityId: row.id,
        summary: `新建商机：${customer.name} ${input.name}（${fromHundredths(row.expected_amount_fen)} 元）`,
        diff: { customerId: customer.id, productIds: input.productIds, expectedAmount: input.expectedAmount, stage: stageCode, expectedOn: input.expectedOn },
      },
      { transaction },
    );
    return row.id;
  });
  return getOpportunity(sequelize, caller.access, id);
}

async function loadVisible(sequelize: Sequelize, access: Access, id: number, transaction?: Transaction, lock = false): Promise<OpportunityRow> {
  const row = (
    await opportunityModels(sequelize).Opportunity.findOne({
      where: { [Op.and]: [{ id }, scopeWhere(access)] },
      transaction,
      ...(lock && transaction ? { lock: transaction.LOCK.UPDATE } : {}),
    })
  )?.get();
  if (!row) throw notFound('商机不存在或不在你的数据范围内');
  return row;
}

export async function getOpportunity(sequelize: Sequelize, access: Access, id: number): Promise<OpportunityView> {
  return (await opportunityViews(sequelize, [await loadVisible(sequelize, access, id)]))[0]!;
}

export interface OpportunityListQuery extends PageRequest {
  customerId?: number;
  stage?: string;
  ownerUserId?: number;
  /** `open`: not yet won or lost; `closed`: won or lost. */
  status?: 'open' | 'closed';
  /** Open and with no stage change for this many days (看板's 停滞商机). */
  staleDays?: number;
  /** Expected in this month (`YYYY-MM`; 看板's forecast drill-down). */
  expectedMonth?: string;
}

export async function listOpportunities(sequelize: Sequelize, access: Access, query: OpportunityListQuery, now = new Date()): Promise<PageOf<OpportunityView>> {
  const where: WhereOptions[] = [scopeWhere(access)];
  if (query.customerId) where.push({ customer_id: query.customerId });
  if (query.stage) where.push({ stage: query.stage });
  if (query.ownerUserId) where.push({ owner_user_id: query.ownerUserId });
  if (query.status === 'open' || query.staleDays !== undefined) where.push({ stage: { [Op.notIn]: [WON_STAGE, LOST_STAGE] } });
  if (query.status === 'closed') where.push({ stage: { [Op.in]: [WON_STAGE, LOST_STAGE] } });
  if (query.staleDays !== undefined) where.push({ stage_changed_at: { [Op.lt]: new Date(now.getTime() - query.staleDays * 86_400_000) } });
  if (query.expectedMonth) where.push({ expected_on: { [Op.gte]: `${query.expectedMonth}-01`, [Op.lte]: `${query.expectedMonth}-31` } });
  const { limit, offset } = pageWindow(query);
  const { rows, count } = await opportunityModels(sequelize).Opportunity.findAndCountAll({
    where: { [Op.and]: where },
    order: [
      ['expected_on', 'ASC'],
      ['id', 'DESC'],
    ],
    limit,
    offset,
  });
  return {
    items: await opportunityViews(
      sequelize,
      rows.map((r) => r.get()),
    ),
    page: query.page,
    pageSize: query.pageSize,
    total: count,
  };
}

export async function opportunityViews(sequelize: Sequelize, rows: OpportunityRow[], transaction?: Transaction): Promise<OpportunityView[]> {
  const productIds = rows.map((r) => JSON.parse(r.product_ids) as number[]);
  const [customers, partners, products, users, dictionaries] = await Promise.all([
    namesById(
      sequelize,
      'customers',
      rows.map((r) => r.customer_id),
      transaction,
    ),
    namesById(
      sequelize,
      'consignment_partners',
      rows.map((r) => r.partner_id),
      transaction,
    ),
    namesById(sequelize, 'products', productIds.flat(), transaction),
    namesById(
      sequelize,
      'users',
      rows.map((r) => r.owner_user_id),
      transaction,
    ),
    listDictionaries(sequelize),
  ]);
  return rows.map((r, i) => {
    const stage = dictionaries.opportunity_stage.find((s) => s.code === r.stage);
    const probability = stage?.probability ?? 0;
    const amountFen = Number(r.expected_amount_fen);
    return {
      id: r.id,
      name: r.name,
      customerId: r.customer_id,
      customer: named(customers, r.customer_id),
      partnerId: r.partner_id,
      partner: r.partner_id === null ? null : named(partners, r.partner_id),
      products: productIds[i]!.map((id) => named(products, id)),
      expectedAmount: fromHundredths(amountFen),
      stage: r.stage,
      stageLabel: stage?.label ?? r.stage,
      probability,
      weightedAmount: fromHundredths(weightedFen(amountFen, probability)),
      expectedOn: dateOnlyOrNull(r.expected_on)!,
      nextStep: r.next_step,
      owner: named(users, r.owner_user_id),
      departmentId: r.department_id,
      lossReason: r.loss_reason,
      lossReasonLabel: r.loss_reason === null ? null : (dictionaries.opportunity_loss_reason.find((v) => v.code === r.loss_reason)?.label ?? r.loss_reason),
      lossNote: r.loss_note,
      tradeId: r.trade_id,
      stageChangedAt: iso(r.stage_changed_at),
      closedAt: isoOrNull(r.closed_at),
      createdAt: iso(r.created_at),
    };
  });
}

/** The buy 成交 books: the patch's trade fields, else the opportunity's (first product, expected amount, partner) and today. */
function wonTrade(row: OpportunityRow, patch: OpportunityPatch): TradeInput {
  const products = JSON.parse(row.product_ids) as number[];
  const partnerId = patch.partnerId !== undefined ? patch.partnerId : row.partner_id;
  const channel = patch.channel ?? (partnerId === null ? 'direct' : 'consignment');
  return {
    kind: 'buy',
    customerId: row.customer_id,
    productId: patch.productId ?? products[0]!,
    amount: patch.amount ?? patch.expectedAmount ?? fromHundredths(row.expected_amount_fen),
    tradedOn: patch.tradedOn ?? businessDate(new Date()),
    channel,
    partnerId: channel === 'consignment' ? partnerId : null,
    repUserId: row.owner_user_id,
    departmentId: row.department_id,
    notes: `商机 #${row.id}：${row.name}`,
    ...(patch.suitabilityOverride ? { suitabilityOverride: patch.suitabilityOverride } : {}),
  };
}

/**
 * Changes an opportunity's fields and/or moves its stage, in one ledger transaction with the
 * opportunity's row locked: two moves of one opportunity never both book a trade.
 */
export async function updateOpportunity(sequelize: Sequelize, caller: Caller, id: number, patch: OpportunityPatch): Promise<OpportunityView> {
  const stages = await opportunityStages(sequelize);
  const dictionaries = await listDictionaries(sequelize);
  await inLedgerTransaction(sequelize, async (transaction) => {
    const row = await loadVisible(sequelize, caller.access, id, transaction, true);
    if (isClosedStage(row.stage)) throw closedError();
    const changes: Partial<OpportunityRow> = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.partnerId !== undefined) {
      await checkPartner(sequelize, caller.access, patch.partnerId, transaction);
      changes.partner_id = patch.partnerId;
    }
    if (patch.productIds !== undefined) {
      await checkProducts(sequelize, patch.productIds, transaction);
      changes.product_ids = JSON.stringify([...new Set(patch.productIds)]);
    }
    if (patch.expectedAmount !== undefined) changes.expected_amount_fen = toHundredths(patch.expectedAmount);
    if (patch.expectedOn !== undefined) changes.expected_on = patch.expectedOn;
    if (patch.nextStep !== undefined) changes.next_step = patch.nextStep;
    const now = new Date();
    const moving = patch.stage !== undefined && patch.stage !== row.stage;
    let tradeId: number | null = null;
    if (moving) {
      const to = patch.stage!;
      if (to === WON_STAGE) {
        // The buy, through the one door of the ledger: a refusal (suitability, product, scope) rolls the move back with it.
        const { trade } = await writeTrade(sequelize, caller, wonTrade({ ...row, ...changes }, patch), transaction).catch(
          whenNotFound(() => invalidField('customerId', '客户不存在或不在你的数据范围内')),
        );
        tradeId = trade.id;
        Object.assign(changes, { trade_id: trade.id, closed_at: now });
      } else if (to === LOST_STAGE) {
        const reason = dictionaries.opportunity_loss_reason.find((v) => v.code === patch.lossReason && v.enabled);
        if (!reason)
          throw invalidField(
            'lossReason',
            `输单原因只能是：${dictionaries.opportunity_loss_reason
              .filter((v) => v.enabled)
              .map((v) => v.label)
              .join('、')}`,
          );
        Object.assign(changes, { loss_reason: reason.code, loss_note: patch.lossNote ?? null, closed_at: now });
      } else {
        openStage(stages, to);
      }
      Object.assign(changes, { stage: to, stage_changed_at: now });
    }
    const { Opportunity, StageChange } = opportunityModels(sequelize);
    if (Object.keys(changes).length) await Opportunity.update(changes, { where: { id: row.id }, transaction });
    if (moving) {
      await StageChange.create(
        { opportunity_id: row.id, customer_id: row.customer_id, from_stage: row.stage, to_stage: patch.stage!, changed_by: caller.access.userId, at: now },
        { transaction },
      );
    }
    const label = (code: string) => stages.find((s) => s.code === code)?.label ?? code;
    await audit(
      sequelize,
      caller.actor,
      {
        action: moving
          ? patch.stage === WON_STAGE
            ? 'opportunity.won'
            : patch.stage === LOST_STAGE
              ? 'opportunity.lost'
              : 'opportunity.stage'
          : 'opportunity.update',
        entity: 'opportunity',
        entityId: row.id,
        summary: moving ? `商机「${row.name}」：${label(row.stage)} → ${label(patch.stage!)}` : `修改商机「${row.name}」`,
        diff: { ...patch, ...(tradeId ? { tradeId } : {}) },
      },
      { transaction },
    );
  });
  return getOpportunity(sequelize, caller.access, id);
}

/** A merge: the source customer's opportunities and their stage history become the target's. */
export async function moveOpportunities(sequelize: Sequelize, sourceId: number, targetId: number, transaction: Transaction): Promise<number> {
  const { Opportunity, StageChange } = opportunityModels(sequelize);
  const [moved] = await Opportunity.update({ customer_id: targetId }, { where: { customer_id: sourceId }, transaction });
  await StageChange.update({ customer_id: targetId }, { where: { customer_id: sourceId }, transaction });
  return moved;
}

/** One imported opportunity (server/modules/imports): its customer and products resolved, its owner and department the customer's. */
export interface ImportedOpportunity {
  name: string;
  customerId: number;
  productIds: number[];
  expectedAmount: number;
  expectedOn: string;
  stage: string;
  nextStep: string | null;
  ownerUserId: number;
  departmentId: number;
}

/** Writes imported opportunities in the import's batch transaction, each with its first stage on the timeline. */
export async function insertOpportunities(
  sequelize: Sequelize,
  rows: ImportedOpportunity[],
  by: number,
  transaction: Transaction,
  now = new Date(),
): Promise<void> {
  const { Opportunity, StageChange } = opportunityModels(sequelize);
  for (const r of rows) {
    const row = (
      await Opportunity.create(
        {
          name: r.name,
          customer_id: r.customerId,
          partner_id: null,
          product_ids: JSON.stringify([...new Set(r.productIds)]),
          expected_amount_fen: toHundredths(r.expectedAmount),
          stage: r.stage,
          expected_on: r.expectedOn,
          next_step: r.nextStep,
          owner_user_id: r.ownerUserId,
          department_id: r.departmentId,
          loss_reason: null,
          loss_note: null,
          trade_id: null,
          stage_changed_at: now,
          closed_at: null,
          created_by: by,
        },
        { transaction },
      )
    ).get();
    await StageChange.create(
      { opportunity_id: row.id, customer_id: r.customerId, from_stage: null, to_stage: r.stage, changed_by: by, at: now },
      { transaction },
    );
  }
}
