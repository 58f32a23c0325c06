/**
 * Product sales, direct or through a consignment partner. A sale belongs to its rep and
 * department for scope and for target progress; the customer must be in the writer's scope too.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import { fromHundredths, toHundredths } from '@shared/money';
import type { SaleInput, SalePatch, SaleView } from '@shared/sales';
import { checkSuitability } from '@shared/suitability';
import { businessDate } from '@shared/time';
import { retryOnDeadlock, updateRows } from '../../db/dialect';
import { dateOnlyOrNull, iso, namesById, named } from '../../db/lookup';
import { DomainError, forbidden, notFound, validationFailed, whenNotFound } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { audit, type Actor } from '../audit/service';
import { customerModels, type CustomerRow } from '../customers/models';
import { loadVisibleCustomer, riskProfileOf } from '../customers/service';
import { loadVisiblePartner } from '../partners/service';
import { productModels } from '../products/models';
import { scopeWhere, type Access } from '../roles/access';
import { resolveOwnership, type Caller } from '../roles/ownership';
import { SALE_SCOPE, saleModels, type SaleRow } from './models';
import { countSale } from './rollup';

const invalid = (field: string, message: string) => validationFailed('请求参数不正确', [{ field, message }]);

async function assertProduct(sequelize: Sequelize, productId: number): Promise<void> {
  if (!(await productModels(sequelize).Product.findByPk(productId))) throw invalid('productId', '产品不存在');
}

/**
 * A partner the caller may see. Any other id gets the answer a missing one gets (a 400 naming the
 * field, for the form), so ids can't be probed and no other team's partner is named.
 */
async function assertPartner(sequelize: Sequelize, access: Access, partnerId: number | null | undefined): Promise<void> {
  if (partnerId === null || partnerId === undefined) return;
  await loadVisiblePartner(sequelize, access, partnerId).catch(whenNotFound(() => invalid('partnerId', '代销机构不存在或不在你的数据范围内')));
}

export async function loadVisibleSale(sequelize: Sequelize, access: Access, id: number, transaction?: Transaction): Promise<SaleRow> {
  const row = (
    await saleModels(sequelize).Sale.findOne({ where: { [Op.and]: [{ id, deleted_at: null }, scopeWhere(access, SALE_SCOPE)] }, transaction })
  )?.get();
  if (!row) throw notFound('销售记录不存在或不在你的数据范围内');
  return row;
}

export async function createSale(sequelize: Sequelize, caller: Caller, input: SaleInput): Promise<SaleView> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, input.customerId).catch(
    whenNotFound(() => invalid('customerId', '客户不存在或不在你的数据范围内')),
  );
  await assertProduct(sequelize, input.productId);
  await assertPartner(sequelize, caller.access, input.partnerId);
  const booking = await resolveOwnership(
    sequelize,
    caller,
    { ownerUserId: input.repUserId, departmentId: input.departmentId },
    { owner: 'repUserId', department: 'departmentId' },
  );
  await assertSuitable(sequelize, caller.access, customer, input.productId, input.suitabilityOverride);
  const id = await inTransaction(sequelize, async (transaction) => {
    const saleId = await insertSale(
      sequelize,
      caller.actor,
      caller.access.userId,
      { ...input, repUserId: booking.ownerUserId, departmentId: booking.departmentId },
      transaction,
    );
    if (input.suitabilityOverride)
      await auditOverride(sequelize, caller.actor, saleId, customer, input.productId, input.suitabilityOverride.reason, transaction);
    return saleId;
  });
  return getSale(sequelize, caller.access, id);
}

/**
 * Writes a sale whose references the caller has checked (customer and partner in scope, product
 * on file, rep and department resolved): the row, its share of target progress, the audit entry.
 */
export async function insertSale(
  sequelize: Sequelize,
  actor: Actor,
  createdBy: number | null,
  input: SaleInput & { repUserId: number; departmentId: number },
  transaction: Transaction,
): Promise<number> {
  const created = await saleModels(sequelize).Sale.create(
    {
      product_id: input.productId,
      customer_id: input.customerId,
      rep_user_id: input.repUserId,
      department_id: input.departmentId,
      amount_fen: toHundredths(input.amount),
      sold_on: input.soldOn,
      channel: input.channel,
      partner_id: input.channel === 'consignment' ? input.partnerId! : null,
      notes: input.notes ?? null,
      suitability_override: input.suitabilityOverride?.reason ?? null,
      created_by: createdBy,
    },
    { transaction },
  );
  await countSale(sequelize, created.get(), 1, transaction);
  await audit(sequelize, actor, { action: 'sale.create', entity: 'sale', entityId: created.get().id, summary: `录入销售 ${input.amount} 元` }, { transaction });
  return created.get().id;
}

/**
 * The sale must suit the customer (shared/suitability.ts): a mismatch is a 409
 * `suitability_mismatch` naming both levels — unless overridden, which needs the permission, a
 * reason, and a mismatch that may be overridden at all.
 */
async function assertSuitable(
  sequelize: Sequelize,
  access: Access,
  customer: CustomerRow,
  productId: number,
  override: { reason: string } | undefined,
  today = businessDate(new Date()),
): Promise<void> {
  const product = (await productModels(sequelize).Product.findByPk(productId))!.get();
  const verdict = checkSuitability(riskProfileOf(customer), product.risk_level, today);
  if (verdict.ok) return;
  const details = { problem: verdict.problem, customerLevel: verdict.customerLevel, productLevel: verdict.productLevel, overridable: verdict.overridable };
  if (!override) throw new DomainError('conflict', 'suitability_mismatch', verdict.message, details);
  if (!verdict.overridable) throw new DomainError('conflict', 'suitability_mismatch', `${verdict.message}（不能例外处理）`, details);
  if (!access.permissions.has('sales.override_suitability'))
    throw forbidden('没有适当性例外审批的权限（sales.override_suitability）', 'suitability_override_forbidden');
}

async function auditOverride(
  sequelize: Sequelize,
  actor: Actor,
  saleId: number,
  customer: CustomerRow,
  productId: number,
  reason: string,
  transaction: Transaction,
): Promise<void> {
  const product = (await productModels(sequelize).Product.findByPk(productId, { transaction }))!.get();
  await audit(
    sequelize,
    actor,
    {
      action: 'sale.suitability_override',
      entity: 'sale',
      entityId: saleId,
      summary: `适当性例外：${customer.name}（${customer.risk_level ?? '未测评'}）购买 ${product.name}（${product.risk_level}）`,
      diff: { customerId: customer.id, customerLevel: customer.risk_level, productId, productLevel: product.risk_level, reason },
    },
    { transaction },
  );
}

export async function getSale(sequelize: Sequelize, access: Access, id: number): Promise<SaleView> {
  const [view] = await saleViews(sequelize, [await loadVisibleSale(sequelize, access, id)]);
  return view!;
}

export interface SaleListQuery extends PageRequest {
  customerId?: number;
  productId?: number;
  repUserId?: number;
  departmentId?: number;
  partnerId?: number;
  channel?: 'direct' | 'consignment';
  from?: string;
  to?: string;
}

/** A page of sales plus the total amount of every sale matching the filter. */
export async function listSales(sequelize: Sequelize, access: Access, query: SaleListQuery): Promise<PageOf<SaleView> & { totalAmount: number }> {
  const and: WhereOptions<SaleRow>[] = [{ deleted_at: null }, scopeWhere(access, SALE_SCOPE)];
  if (query.customerId) and.push({ customer_id: query.customerId });
  if (query.productId) and.push({ product_id: query.productId });
  if (query.repUserId) and.push({ rep_user_id: query.repUserId });
  if (query.departmentId) and.push({ department_id: query.departmentId });
  if (query.partnerId) and.push({ partner_id: query.partnerId });
  if (query.channel) and.push({ channel: query.channel });
  if (query.from) and.push({ sold_on: { [Op.gte]: query.from } });
  if (query.to) and.push({ sold_on: { [Op.lte]: query.to } });
  const { Sale } = saleModels(sequelize);
  const where = { [Op.and]: and };
  const [{ rows, count }, total] = await Promise.all([
    Sale.findAndCountAll({
      where,
      order: [
        ['sold_on', 'DESC'],
        ['id', 'DESC'],
      ],
      ...pageWindow(query),
    }),
    Sale.sum('amount_fen', { where }),
  ]);
  return {
    items: await saleViews(
      sequelize,
      rows.map((r) => r.get()),
    ),
    total: count,
    page: query.page,
    pageSize: query.pageSize,
    totalAmount: fromHundredths(total ?? 0),
  };
}

export async function updateSale(sequelize: Sequelize, caller: Caller, id: number, patch: SalePatch): Promise<SaleView> {
  const current = await loadVisibleSale(sequelize, caller.access, id);
  if (patch.productId !== undefined && patch.productId !== current.product_id) {
    await assertProduct(sequelize, patch.productId);
    const customer = (await customerModels(sequelize).Customer.findByPk(current.customer_id))!.get();
    await assertSuitable(sequelize, caller.access, customer, patch.productId, patch.suitabilityOverride);
  }
  const channel = patch.channel ?? current.channel;
  const partnerId = patch.channel === 'direct' ? null : patch.partnerId !== undefined ? patch.partnerId : current.partner_id;
  if ((channel === 'consignment') !== (partnerId !== null)) throw invalid('partnerId', '代销必须选择代销机构，直销不能选择代销机构');
  if (partnerId !== current.partner_id) await assertPartner(sequelize, caller.access, partnerId);
  const changes: Partial<SaleRow> = { channel, partner_id: partnerId };
  if (patch.productId !== undefined) changes.product_id = patch.productId;
  if (patch.amount !== undefined) changes.amount_fen = toHundredths(patch.amount);
  if (patch.soldOn !== undefined) changes.sold_on = patch.soldOn;
  if (patch.notes !== undefined) changes.notes = patch.notes;
  if (patch.suitabilityOverride) changes.suitability_override = patch.suitabilityOverride.reason;
  await inTransaction(sequelize, async (transaction) => {
    const { Sale } = saleModels(sequelize);
    const locked = await lockSale(sequelize, id, transaction);
    await Sale.update(changes, { where: { id }, transaction });
    await countSale(sequelize, locked, -1, transaction);
    await countSale(sequelize, { ...locked, ...changes }, 1, transaction);
    const before = {
      productId: current.product_id,
      amount: fromHundredths(current.amount_fen),
      soldOn: current.sold_on,
      channel: current.channel,
      partnerId: current.partner_id,
    };
    await audit(
      sequelize,
      caller.actor,
      { action: 'sale.update', entity: 'sale', entityId: id, summary: `修改销售记录 #${id}`, diff: { before, after: patch } },
      { transaction },
    );
  });
  return getSale(sequelize, caller.access, id);
}

export async function deleteSale(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const current = await loadVisibleSale(sequelize, caller.access, id);
  await inTransaction(sequelize, async (transaction) => {
    const locked = await lockSale(sequelize, id, transaction);
    await saleModels(sequelize).Sale.update({ deleted_at: new Date() }, { where: { id }, transaction });
    await countSale(sequelize, locked, -1, transaction);
    await audit(
      sequelize,
      caller.actor,
      { action: 'sale.delete', entity: 'sale', entityId: id, summary: `删除销售记录 #${id}（${fromHundredths(current.amount_fen)} 元）` },
      { transaction },
    );
  });
}

/** Sale writes move the monthly rollup's rows too: two writers may meet there (MySQL may pick a deadlock victim). */
function inTransaction<T>(sequelize: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  return retryOnDeadlock(() => sequelize.transaction(work));
}

/** The live sale as it is now, held until the transaction ends, so its old contribution is exact. */
async function lockSale(sequelize: Sequelize, id: number, transaction: Transaction): Promise<SaleRow> {
  const row = (await saleModels(sequelize).Sale.findOne({ where: { id, deleted_at: null }, transaction, lock: transaction.LOCK.UPDATE }))?.get();
  if (!row) throw notFound('销售记录不存在或已删除');
  return row;
}

export async function saleViews(sequelize: Sequelize, rows: SaleRow[]): Promise<SaleView[]> {
  const [products, customers, reps, partners] = await Promise.all([
    productModels(sequelize).Product.findAll({ where: { id: { [Op.in]: [...new Set(rows.map((r) => r.product_id))] } } }),
    namesById(
      sequelize,
      'customers',
      rows.map((r) => r.customer_id),
    ),
    namesById(
      sequelize,
      'users',
      rows.map((r) => r.rep_user_id),
    ),
    namesById(
      sequelize,
      'consignment_partners',
      rows.map((r) => r.partner_id),
    ),
  ]);
  const productOf = new Map(products.map((p) => [p.get().id, p.get()]));
  return rows.map((r) => {
    const p = productOf.get(r.product_id);
    return {
      id: r.id,
      product: { id: r.product_id, code: p?.code ?? '', name: p?.name ?? '' },
      customer: named(customers, r.customer_id),
      rep: named(reps, r.rep_user_id),
      departmentId: r.department_id,
      amount: fromHundredths(r.amount_fen),
      soldOn: dateOnlyOrNull(r.sold_on)!,
      channel: r.channel,
      partner: r.partner_id === null ? null : named(partners, r.partner_id),
      notes: r.notes,
      suitabilityOverride: r.suitability_override ?? null,
      createdAt: iso(r.created_at),
    };
  });
}

/** A merge: the source customer's sales become the target's (rep, department and figures stay). */
export function moveSales(sequelize: Sequelize, fromCustomerId: number, toCustomerId: number, transaction: Transaction): Promise<number> {
  return updateRows(sequelize, 'UPDATE product_sales SET customer_id = ? WHERE customer_id = ?', [toCustomerId, fromCustomerId], transaction);
}
