/**
 * 公海分配 from a spreadsheet (server/README.md#customer-pool-公海): a row names its customer (系统编号,
 * 手机号 or name, in the importer's scope) and what to do — 放入公海 (with a reason) or 分配 to a named
 * rep (分配给: a name or a WeCom userid, in the importer's scope) from the pool the customer is in.
 * Each row goes through the pool's own functions, so it is audited like the buttons
 * (`customer.release`, `customer.assign`) and the WeCom relation follows an assignment (客户继承).
 * Nothing is "on file": the same customer twice in one file is a duplicate.
 */
import { z } from 'zod';
import { optionalText } from '@shared/fields';
import { DomainError } from '../../errors';
import { enterPool, liveEntryOf, assignInTransaction } from '../customer-pool/service';
import { customerModels } from '../customers/models';
import type { ColumnSpec } from './columns';
import { customerColumns, customerRefFields, customerRule, hasCustomer, historyKind, resolveCustomers } from './history-kinds';
import type { Resolved } from './kinds';

const ACTIONS = { release: '放入公海', assign: '分配' } as const;
type Action = keyof typeof ACTIONS;
const actionOf = (value: unknown): Action | null => {
  const text = String(value ?? '').trim();
  const found = Object.entries(ACTIONS).find(([code, label]) => text === code || text === label || (code === 'release' && text === '释放'));
  return found ? (found[0] as Action) : null;
};

const columns: ColumnSpec[] = [
  ...customerColumns,
  { key: 'action', header: '操作', aliases: ['动作', 'action'], required: true, type: 'text', sample: '分配' },
  { key: 'owner', header: '分配给', aliases: ['负责人', '客户经理', 'rep'], type: 'owner', sample: '李娜' },
  { key: 'reason', header: '原因', aliases: ['释放原因', 'reason'], type: 'text', sample: '' },
];

const poolAssignments = historyKind({
  kind: 'pool_assignments',
  noun: '公海分配',
  writePermission: 'customer.transfer', // POST /api/customers/:id/assign (and a manager's release)
  columns,
  schema: z
    .object({ ...customerRefFields, action: z.unknown().optional(), reason: optionalText(200) })
    .refine(hasCustomer, customerRule) as unknown as z.ZodType<Record<string, unknown>>,
  async resolve(sequelize, caller, rows) {
    const customers = await resolveCustomers(sequelize, caller.access, rows);
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const customer = customers.get(r.row)!;
      const action = actionOf(r.input.action);
      const errors = [
        ...(typeof customer === 'string' ? [r.problem('customerName', customer)] : []),
        ...(action ? [] : [r.problem('action', `操作只能是：${Object.values(ACTIONS).join('、')}`)]),
        ...(action === 'assign' && !r.ownerGiven ? [r.problem('owner', '分配时请填写分配给哪位同事（姓名或企业微信账号）')] : []),
        ...(action === 'release' && !r.input.reason ? [r.problem('reason', '放入公海时请填写原因')] : []),
      ];
      if (!errors.length && typeof customer !== 'string') {
        const inPool = Boolean(await liveEntryOf(sequelize, customer.id));
        if (action === 'release' && inPool) errors.push(r.problem('customerName', '客户已在公海中'));
        if (action === 'assign' && !inPool) errors.push(r.problem('customerName', '客户不在公海中，不能从公海分配'));
      }
      out.set(r.row, errors.length ? { errors } : { input: { customerId: (customer as { id: number }).id, action, reason: r.input.reason ?? null } });
    }
    return out;
  },
  identities: (i) => [`pool:${String(i.customerId)}`],
  describe: () => '同一客户',
  onFile: async () => new Map(),
  async insert(sequelize, rows, by, transaction, actor, caller) {
    for (const { input, ownership } of rows) {
      const customerId = Number(input.customerId);
      if (input.action === 'assign') {
        await assignInTransaction(sequelize, caller, customerId, ownership.ownerUserId, transaction);
        continue;
      }
      const customer = (await customerModels(sequelize).Customer.findByPk(customerId, { transaction }))!.get();
      const entered = await enterPool(sequelize, actor, customer, { kind: 'released', reason: String(input.reason), by }, transaction);
      if (entered === null) throw new DomainError('conflict', 'conflict', `${customer.name} 已在公海中`);
    }
  },
});

export const POOL_KINDS = { pool_assignments: poolAssignments };
