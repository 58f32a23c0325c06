/**
 * A customer's contacts (an institution's staff, an individual's family or assistant). At most
 * one is primary — a schema rule (unique `primary_of_customer_id`), kept here by clearing the old
 * primary in the same transaction that sets a new one. The first contact becomes primary.
 */
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { CONTACT_FIELDS, type ContactInput, type ContactPatch, type ContactView } from '@shared/customers';
import { maskIdentifier } from '@shared/record-fields';
import { iso } from '../../db/lookup';
import { columnsOf, newColumns, viewOf } from '../../db/record-fields';
import { notFound } from '../../errors';
import type { Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { audit, fieldDiff } from '../audit/service';
import type { CustomerRow } from '../customers/models';
import { loadVisibleCustomer } from '../customers/service';
import { phoneField } from '../../values';
import { contactModels, type ContactRow } from './models';
import { updateRows } from '../../db/dialect';

export function contactView(r: ContactRow): ContactView {
  return {
    id: r.id,
    customerId: r.customer_id,
    ...viewOf(CONTACT_FIELDS, r),
    isPrimary: r.primary_of_customer_id !== null,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/**
 * A contact's phone masked (138****1234) for a viewer without `customer.view_sensitive`, as the
 * customer's own (server/README.md#masking-phones-and-id-numbers); `revealContactPhone` gives it whole.
 */
export function maskedContact(access: Access, view: ContactView): ContactView {
  if (access.permissions.has('customer.view_sensitive') || !view.phone) return view;
  return { ...view, phone: maskIdentifier(view.phone), sensitiveMasked: true };
}

/** One contact's phone whole, for a customer in the caller's scope — a click in the H5, audited each time. */
export async function revealContactPhone(sequelize: Sequelize, caller: Caller, customerId: number, contactId: number): Promise<{ value: string | null }> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const contact = await loadContact(sequelize, customerId, contactId);
  await audit(sequelize, caller.actor, {
    action: 'customer.reveal',
    entity: 'customer',
    entityId: customerId,
    summary: `查看客户 ${customer.name} 的联系人 ${contact.name} 的完整手机号`,
    diff: { field: 'contactPhone', contactId },
  });
  return { value: contact.phone ?? null };
}

export async function listContacts(sequelize: Sequelize, access: Access, customerId: number): Promise<ContactView[]> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const rows = await contactModels(sequelize).Contact.findAll({
    where: { customer_id: customerId },
    order: [
      ['primary_of_customer_id', 'DESC'],
      ['id', 'ASC'],
    ],
  });
  return rows.map((r) => maskedContact(access, contactView(r.get())));
}

async function clearPrimary(sequelize: Sequelize, customerId: number, transaction: Transaction): Promise<void> {
  await contactModels(sequelize).Contact.update({ primary_of_customer_id: null }, { where: { primary_of_customer_id: customerId }, transaction });
}

export async function addContact(sequelize: Sequelize, caller: Caller, customerId: number, input: ContactInput): Promise<ContactView> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const { Contact } = contactModels(sequelize);
  const phone = phoneField(input.phone) ?? null;
  const row = await sequelize.transaction(async (transaction) => {
    const hasPrimary = (await Contact.count({ where: { primary_of_customer_id: customerId }, transaction })) > 0;
    const primary = input.isPrimary ?? !hasPrimary;
    if (primary) await clearPrimary(sequelize, customerId, transaction);
    const created = await Contact.create(
      { customer_id: customerId, ...newColumns(CONTACT_FIELDS, { ...input, phone }), primary_of_customer_id: primary ? customerId : null },
      { transaction },
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'contact.create',
        entity: 'customer',
        entityId: customerId,
        summary: `客户 ${customer.name} 新增联系人 ${input.name}`,
        diff: { contactId: created.get().id, ...input, phone },
      },
      { transaction },
    );
    return created.get();
  });
  return contactView(row);
}

/** The columns a patch sets (undefined fields stay as they are; the primary flag is the caller's to set), the phone normalised. */
export function contactColumns(patch: ContactPatch): Partial<ContactRow> {
  return columnsOf(CONTACT_FIELDS, { ...patch, phone: phoneField(patch.phone) });
}

async function loadContact(sequelize: Sequelize, customerId: number, contactId: number): Promise<ContactRow> {
  const row = (await contactModels(sequelize).Contact.findOne({ where: { id: contactId, customer_id: customerId } }))?.get();
  if (!row) throw notFound('联系人不存在');
  return row;
}

export async function getContact(sequelize: Sequelize, access: Access, customerId: number, contactId: number): Promise<ContactView> {
  await loadVisibleCustomer(sequelize, access, customerId);
  return maskedContact(access, contactView(await loadContact(sequelize, customerId, contactId)));
}

export async function updateContact(sequelize: Sequelize, caller: Caller, customerId: number, contactId: number, patch: ContactPatch): Promise<ContactView> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const current = await loadContact(sequelize, customerId, contactId);
  const { Contact } = contactModels(sequelize);
  const changes: Partial<ContactRow> = contactColumns(patch);
  await sequelize.transaction(async (transaction) => {
    if (patch.isPrimary === true) await clearPrimary(sequelize, customerId, transaction);
    if (patch.isPrimary !== undefined) changes.primary_of_customer_id = patch.isPrimary ? customerId : null;
    await Contact.update(changes, { where: { id: contactId }, transaction });
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'contact.update',
        entity: 'customer',
        entityId: customerId,
        summary: `客户 ${customer.name} 修改联系人 ${current.name}`,
        diff: { contactId, ...fieldDiff(current, changes) },
      },
      { transaction },
    );
  });
  return contactView(await loadContact(sequelize, customerId, contactId));
}

/** Deleting the primary contact promotes the oldest remaining one. */
export async function deleteContact(sequelize: Sequelize, caller: Caller, customerId: number, contactId: number): Promise<void> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const contact = await loadContact(sequelize, customerId, contactId);
  const { Contact } = contactModels(sequelize);
  await sequelize.transaction(async (transaction) => {
    await Contact.destroy({ where: { id: contactId }, transaction });
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'contact.delete',
        entity: 'customer',
        entityId: customerId,
        summary: `客户 ${customer.name} 删除联系人 ${contact.name}`,
        diff: { contactId, name: contact.name, phone: contact.phone },
      },
      { transaction },
    );
    if (contact.primary_of_customer_id === null) return;
    const next = await Contact.findOne({ where: { customer_id: customerId, id: { [Op.ne]: contactId } }, order: [['id', 'ASC']], transaction });
    if (next) await Contact.update({ primary_of_customer_id: customerId }, { where: { id: next.get().id }, transaction });
  });
}

/** Moves the contacts; the target keeps its primary. A source phone new to the target becomes a contact. */
export async function moveContacts(sequelize: Sequelize, source: CustomerRow, target: CustomerRow, transaction: Transaction, now: Date): Promise<number> {
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
