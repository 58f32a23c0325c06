/**
 * Deleting a customer (soft): the profile leaves every list, its WeCom contacts are released for
 * matching (their link history stays), audited. Apart from the service because it reaches into
 * matching, which itself builds on customers.
 */
import type { Sequelize } from 'sequelize';
import { audit } from '../audit/service';
import { releaseLinksOf } from '../matching/service';
import type { Caller } from '../roles/ownership';
import { customerModels } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';

export async function deleteCustomer(sequelize: Sequelize, caller: Caller, id: number): Promise<void> {
  const { Customer } = customerModels(sequelize);
  const current = await loadVisibleCustomer(sequelize, caller.access, id);
  const now = new Date();
  await sequelize.transaction(async (transaction) => {
    await Customer.update({ deleted_at: now, version: current.version + 1 }, { where: { id }, transaction });
    await releaseLinksOf(sequelize, id, caller.access.userId, '客户已删除', transaction, now);
    await audit(sequelize, caller.actor, { action: 'customer.delete', entity: 'customer', entityId: id, summary: `删除客户 ${current.name}` }, { transaction });
  });
}
