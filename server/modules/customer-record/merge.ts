/**
 * Merging duplicates (admins, `customer.merge`): the sources' process moves to the target —
 * contacts, follow-ups, holdings (records of a product both hold join the target's holding),
 * sales, stage history and WeCom links. The target keeps its profile and fills its empty fields
 * from the sources; a source phone the target lacks survives as a contact. Sources are soft-deleted
 * with `merged_into_id`. One transaction, one audit entry.
 */
// Raw SQL on other modules' tables, on purpose: the stage and owner history are the customer's own tables
// (customers and customer-record are one domain, split so that what other modules import does not import
// them back); every other module's rows move through its owner's move function.
import type { Sequelize } from 'sequelize';
import { MERGE_FILLED_FIELDS, type MergeResult } from '@shared/customers';
import { updateRows } from '../../db/dialect';
import { validationFailed } from '../../errors';
import { audit } from '../audit/service';
import { moveContacts } from '../contacts/service';
import { moveFollowUps, restoreFollowUpDates } from '../follow-ups/service';
import { moveTrades } from '../trades/ledger';
import { moveLinks } from '../matching/service';
import { moveOpportunities } from '../opportunities/service';
import { movePoolEntries } from '../customer-pool/service';
import type { Caller } from '../roles/ownership';
import { customerFollowUpSubject } from '../customers/follow-up-subject';
import { customerModels, type CustomerRow } from '../customers/models';
import { getCustomer, loadVisibleCustomer, queueLevelTags } from '../customers/service';

/** Profile fields a merge copies from a source when the target has none. */
const FILLABLE = MERGE_FILLED_FIELDS;

export async function mergeCustomers(sequelize: Sequelize, caller: Caller, targetId: number, sourceIds: number[]): Promise<MergeResult> {
  const sources = [...new Set(sourceIds)];
  if (sources.includes(targetId)) throw validationFailed('请求参数不正确', [{ field: 'sourceIds', message: '不能把客户合并到自己' }]);
  const moved: MergeResult['moved'] = { contacts: 0, followUps: 0, holdings: 0, trades: 0, wecomLinks: 0, stageChanges: 0 };
  const now = new Date();

  await sequelize.transaction(async (transaction) => {
    const target = await loadVisibleCustomer(sequelize, caller.access, targetId, transaction);
    const fills: Partial<CustomerRow> = {};
    for (const sourceId of sources) {
      const source = await loadVisibleCustomer(sequelize, caller.access, sourceId, transaction);
      moved.contacts += await moveContacts(sequelize, source, target, transaction, now);
      moved.followUps += await moveFollowUps(sequelize, sourceId, targetId, transaction);
      const trades = await moveTrades(sequelize, sourceId, targetId, transaction);
      moved.holdings += trades.holdings;
      moved.trades += trades.trades;
      moved.stageChanges += await updateRows(
        sequelize,
        'UPDATE customer_stage_changes SET customer_id = ? WHERE customer_id = ?',
        [targetId, sourceId],
        transaction,
      );
      moved.wecomLinks += await moveLinks(sequelize, sourceId, targetId, transaction);
      await updateRows(sequelize, 'UPDATE customer_owner_changes SET customer_id = ? WHERE customer_id = ?', [targetId, sourceId], transaction);
      await moveOpportunities(sequelize, sourceId, targetId, transaction);
      await movePoolEntries(sequelize, sourceId, targetId, transaction, now);
      for (const field of FILLABLE) {
        if (target[field] === null && fills[field] === undefined && source[field] !== null) fills[field] = source[field];
      }
      await customerModels(sequelize).Customer.update(
        { deleted_at: now, merged_into_id: targetId, version: source.version + 1 },
        { where: { id: sourceId }, transaction },
      );
    }
    await customerModels(sequelize).Customer.update({ ...fills, version: target.version + 1 }, { where: { id: targetId }, transaction });
    // The moved relations never carried the kept customer's 客户等级 (nor the kept ones a filled one).
    if (moved.wecomLinks > 0 || fills.level !== undefined) await queueLevelTags(sequelize, [targetId], caller.actor.userId, transaction);
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
