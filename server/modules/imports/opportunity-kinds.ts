/**
 * 商机 from a spreadsheet (server/README.md#opportunities-商机), under the history imports' rules:
 * a row names its customer (系统编号, 手机号 or name, in the importer's scope) and its product (代码
 * or name), the opportunity's name, expected amount and date, an open stage (its label or code) and
 * the next step. The opportunity belongs to the customer's owner, like one opened on the customer's
 * page. A row with the same customer and name as one on file is a duplicate and skipped.
 */
// Raw SQL on other modules' tables, on purpose: the batch's opportunities on file are read in one
// statement by customer, like the other history kinds read theirs.
import { QueryTypes } from 'sequelize';
import { z } from 'zod';
import { optionalText, text } from '@shared/fields';
import { OPPORTUNITY_FIELDS, isClosedStage, opportunityCreateSchema } from '@shared/opportunities';
import { sqlList } from '../../db/dialect';
import { listDictionaries } from '../dictionaries/service';
import { insertOpportunities } from '../opportunities/service';
import type { ColumnSpec } from './columns';
import {
  amountOf,
  customerColumns,
  customerRefFields,
  customerRule,
  hasCustomer,
  historyKind,
  idsOfKeys,
  onFileOf,
  productRef,
  resolveCustomersAndProducts,
  type FoundCustomer,
} from './history-kinds';
import type { Resolved } from './kinds';

const key = (kind: string, ...parts: unknown[]) => `${kind}:${parts.map(String).join('|')}`;
const column = (key: string, header: string, aliases: string[], sample: string, required = false, type: ColumnSpec['type'] = 'text'): ColumnSpec => ({
  key,
  header,
  aliases,
  sample,
  required,
  type,
});

const opportunities = historyKind({
  kind: 'opportunities',
  noun: '商机',
  writePermission: 'customer.write', // POST /api/opportunities
  columns: [
    ...customerColumns,
    productRef,
    column('name', OPPORTUNITY_FIELDS.name.label, ['商机', '名称', 'name', 'opportunity'], '稳健理财追加', true),
    column('expectedAmount', '预计金额（元）', ['预计金额', '金额', 'amount'], '500000', true),
    column('expectedOn', OPPORTUNITY_FIELDS.expectedOn.label, ['预计日期', '预计成交', 'expected date'], '2026-12-31', true, 'date'),
    column('stage', '阶段', ['商机阶段', 'stage'], '初步沟通'),
    column('nextStep', OPPORTUNITY_FIELDS.nextStep.label, ['下一步计划', 'next step'], '周五前发送产品说明书'),
  ],
  schema: z
    .object({
      ...customerRefFields,
      product: text(64).min(1, '请填写产品代码'),
      name: z.unknown().optional(),
      expectedAmount: z.unknown().optional(),
      expectedOn: z.string(),
      stage: optionalText(64),
      nextStep: z.unknown().optional(),
    })
    .refine(hasCustomer, customerRule) as unknown as z.ZodType<Record<string, unknown>>,
  async resolve(sequelize, caller, rows) {
    const [refsOf, dictionaries] = await Promise.all([resolveCustomersAndProducts(sequelize, caller.access, rows), listDictionaries(sequelize)]);
    const stages = dictionaries.opportunity_stage.filter((s) => s.enabled && !isClosedStage(s.code));
    const out = new Map<number, Resolved>();
    for (const r of rows) {
      const { customer, product, errors } = refsOf(r);
      const stageText = typeof r.input.stage === 'string' ? r.input.stage.trim() : '';
      const stage = stageText ? stages.find((s) => s.code === stageText || s.label === stageText)?.code : stages[0]?.code;
      if (!stage) errors.push(r.problem('stage', `阶段只能是：${stages.map((s) => s.label).join('、')}（成交和输单请在系统中操作）`));
      if (errors.length) {
        out.set(r.row, { errors });
        continue;
      }
      const found = customer as FoundCustomer;
      const parsed = opportunityCreateSchema.safeParse({
        name: r.input.name,
        customerId: found.id,
        productIds: [(product as { id: number }).id],
        expectedAmount: amountOf(r.input.expectedAmount),
        expectedOn: r.input.expectedOn,
        stage,
        nextStep: r.input.nextStep ?? null,
      });
      out.set(
        r.row,
        parsed.success
          ? { input: { ...parsed.data, ownerUserId: found.ownerUserId, departmentId: found.departmentId } }
          : {
              errors: parsed.error.issues.map((i) =>
                r.problem(
                  ({ customerId: 'customerName', productIds: 'product' } as Record<string, string>)[String(i.path[0])] ?? String(i.path[0] ?? ''),
                  i.message,
                ),
              ),
            },
      );
    }
    return out;
  },
  identities: (i) => [key('opportunity', i.customerId, i.name)],
  describe: () => '同一客户、同名商机',
  async onFile(sequelize, keys) {
    const customerIds = idsOfKeys(keys, 'opportunity');
    if (!customerIds.length) return new Map();
    const rows = await sequelize.query<{ id: number; customer_id: number; name: string; owner_user_id: number; department_id: number }>(
      `SELECT id, customer_id, name, owner_user_id, department_id FROM opportunities WHERE customer_id IN (${sqlList(customerIds)})`,
      { replacements: customerIds, type: QueryTypes.SELECT },
    );
    return onFileOf(
      rows.map((o) => ({
        key: key('opportunity', o.customer_id, o.name),
        id: Number(o.id),
        owner: Number(o.owner_user_id),
        department: Number(o.department_id),
      })),
    );
  },
  async insert(sequelize, rows, by, transaction) {
    await insertOpportunities(
      sequelize,
      rows.map(({ input }) => ({
        name: String(input.name),
        customerId: Number(input.customerId),
        productIds: input.productIds as number[],
        expectedAmount: Number(input.expectedAmount),
        expectedOn: String(input.expectedOn),
        stage: String(input.stage),
        nextStep: (input.nextStep as string | null) ?? null,
        ownerUserId: Number(input.ownerUserId),
        departmentId: Number(input.departmentId),
      })),
      by,
      transaction,
    );
  },
});

export const OPPORTUNITY_KINDS = { opportunities };
