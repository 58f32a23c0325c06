/**
 * Merging duplicates (admins, `customer.merge`): the sources' process moves to the target —
 * contacts, follow-ups, holdings (records of a product both hold join the target's holding),
 * sales, stage history and WeCom links. The target keeps its profile and fills its empty fields
 * from the sources; a source phone the target lacks survives as a contact. Sources are soft-deleted
 * with `merged_into_id`. One transaction, one audit entry.
 */
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { MergeResult } from '@shared/customers';
import { updateRows } from '../../db/dialect';
import { badRequest } from '../../http/errors';
import { audit } from '../audit/service';
import { contactModels } from '../contacts/models';
import { restoreFollowUpDates } from '../follow-ups/service';
import { holdingModels } from '../holdings/models';
import { recomputeHolding } from '../holdings/service';
import type { Caller } from '../roles/ownership';
import { customerFollowUpSubject } from './detail';
import { customerModels, type CustomerRow } from './models';
import { getCustomer, loadVisibleCustomer } from './service';

/** Profile fields a merge copies from a source when the target has none. */
const FILLABLE = ['institution', 'title', 'phone', 'email', 'unionid', 'source', 'level', 'notes'] as const;

export async function mergeCustomers(sequelize: Sequelize, caller: Caller, targetId: number, sourceIds: number[]): Promise<MergeResult> {
  const sources = [...new Set(sourceIds)];
  if (sources.includes(targetId)) throw badRequest('请求参数不正确', [{ field: 'sourceIds', message: '不能把客户合并到自己' }]);
  const moved: MergeResult['moved'] = { contacts: 0, followUps: 0, holdings: 0, holdingRecords: 0, sales: 0, wecomLinks: 0, stageChanges: 0 };
  const now = new Date();

  await sequelize.transaction(async (transaction) => {
    const target = await loadVisibleCustomer(sequelize, caller.access, targetId, transaction);
    const fills: Partial<CustomerRow> = {};
    for (const sourceId of sources) {
      const source = await loadVisibleCustomer(sequelize, caller.access, sourceId, transaction);
      moved.contacts += await moveContacts(sequelize, source, target, transaction, now);
      moved.followUps += await updateRows(sequelize, 'UPDATE follow_ups SET customer_id = ? WHERE customer_id = ?', [targetId, sourceId], transaction);
      const holdings = await moveHoldings(sequelize, sourceId, targetId, transaction);
      moved.holdings += holdings.holdings;
      moved.holdingRecords += holdings.records;
      moved.sales += await updateRows(sequelize, 'UPDATE product_sales SET customer_id = ? WHERE customer_id = ?', [targetId, sourceId], transaction);
      moved.stageChanges += await updateRows(
        sequelize,
        'UPDATE customer_stage_changes SET customer_id = ? WHERE customer_id = ?',
        [targetId, sourceId],
        transaction,
      );
      moved.wecomLinks += await updateRows(
        sequelize,
        'UPDATE customer_wecom_links SET customer_id = ? WHERE customer_id = ?',
        [targetId, sourceId],
        transaction,
      );
      await updateRows(sequelize, 'UPDATE customer_wecom_link_events SET customer_id = ? WHERE customer_id = ?', [targetId, sourceId], transaction);
      await updateRows(sequelize, 'UPDATE customer_owner_changes SET customer_id = ? WHERE customer_id = ?', [targetId, sourceId], transaction);
      for (const field of FILLABLE) {
        if (target[field] === null && fills[field] === undefined && source[field] !== null) fills[field] = source[field];
      }
      await customerModels(sequelize).Customer.update(
        { deleted_at: now, merged_into_id: targetId, version: source.version + 1 },
        { where: { id: sourceId }, transaction },
      );
    }
    await customerModels(sequelize).Customer.update({ ...fills, version: target.version + 1 }, { where: { id: targetId }, transaction });
    await restoreFollowUpDates(sequelize, customerFollowUpSubject, targetId, now, transaction);
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'customer.merge',
        entity: 'customer',
        entityId: targetId,
        summary: `合并客户 ${sources.join(', ')} 到 ${target.name}`,
        diff: { sourceIds: sources, moved, filled: Object.keys(fills) },
      },
      { transaction },
    );
  });
  return { customer: await getCustomer(sequelize, caller.access, targetId), merged: sources, moved };
}

/** Moves the contacts; the target keeps its primary. A source phone new to the target becomes a contact. */
async function moveContacts(sequelize: Sequelize, source: CustomerRow, target: CustomerRow, transaction: Transaction, now: Date): Promise<number> {
  const { Contact } = contactModels(sequelize);
  const targetHasPrimary = (await Contact.count({ where: { primary_of_customer_id: target.id }, transaction })) > 0;
  const moved = await updateRows(
    sequelize,
    `UPDATE customer_contacts SET customer_id = ?, primary_of_customer_id = ${targetHasPrimary ? 'NULL' : 'CASE WHEN primary_of_customer_id IS NULL THEN NULL ELSE ? END'}, updated_at = ? WHERE customer_id = ?`,
    targetHasPrimary ? [target.id, now, source.id] : [target.id, target.id, now, source.id],
    transaction,
  );
  if (!source.phone || source.phone === target.phone) return moved;
  const known = await Contact.count({ where: { customer_id: target.id, phone: source.phone }, transaction });
  if (known) return moved;
  await Contact.create(
    {
      customer_id: target.id,
      name: source.name,
      title: source.title,
      phone: source.phone,
      email: source.email,
      relation: '合并来源',
      notes: `由客户 #${source.id} 合并`,
      primary_of_customer_id: null,
    },
    { transaction },
  );
  return moved + 1;
}

/** Holdings of products only the source holds move; records of a shared product join the target's holding. */
async function moveHoldings(
  sequelize: Sequelize,
  sourceId: number,
  targetId: number,
  transaction: Transaction,
): Promise<{ holdings: number; records: number }> {
  const { Holding } = holdingModels(sequelize);
  const sourceHoldings = (await Holding.findAll({ where: { customer_id: sourceId }, transaction })).map((h) => h.get());
  const targetHoldings = new Map(
    (await Holding.findAll({ where: { customer_id: targetId, product_id: { [Op.in]: sourceHoldings.map((h) => h.product_id) } }, transaction })).map((h) => [
      h.get().product_id,
      h.get().id,
    ]),
  );
  let records = 0;
  for (const holding of sourceHoldings) {
    const [{ n }] = (await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM holding_records WHERE holding_id = ?', {
      replacements: [holding.id],
      type: QueryTypes.SELECT,
      transaction,
    })) as [{ n: number }];
    records += Number(n);
    const into = targetHoldings.get(holding.product_id);
    if (into === undefined) {
      await Holding.update({ customer_id: targetId }, { where: { id: holding.id }, transaction });
      continue;
    }
    await updateRows(sequelize, 'UPDATE holding_records SET holding_id = ? WHERE holding_id = ?', [into, holding.id], transaction);
    await Holding.destroy({ where: { id: holding.id }, transaction });
    await recomputeHolding(sequelize, into, transaction);
  }
  return { holdings: sourceHoldings.length, records };
}
