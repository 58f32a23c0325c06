/** The customer write schema, shared by the API, the H5 forms and the Excel import. */
import { z } from 'zod';

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) =>
  text(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

export const customerFields = {
  type: z.string().min(1, '请选择客户类型'),
  name: text(128).min(1, '请填写客户名称'),
  status: z.string().min(1).optional(),
  lifecycleStage: z.string().min(1).optional(),
  source: z.string().min(1).nullable().optional(),
  level: z.string().min(1).nullable().optional(),
  institution: optionalText(256),
  title: optionalText(128),
  /** Any common spelling; stored normalised (see normalizePhone). */
  phone: optionalText(40),
  email: z
    .string()
    .trim()
    .max(256)
    .transform((v) => (v === '' ? null : v))
    .pipe(z.email({ message: '邮箱格式不正确' }).nullable())
    .nullable()
    .optional(),
  notes: optionalText(4000),
  ownerUserId: z.number().int().positive().optional(),
  departmentId: z.number().int().positive().optional(),
  nextFollowUpAt: z.coerce.date().nullable().optional(),
};

export const customerCreateSchema = z.object(customerFields);
export type CustomerCreateInput = z.infer<typeof customerCreateSchema>;

/** A patch carries the version it was based on: a stale one is refused (409). */
export const customerUpdateSchema = z
  .object(customerFields)
  .partial()
  .extend({ version: z.number().int().positive() });
export type CustomerUpdateInput = z.infer<typeof customerUpdateSchema>;

export interface CustomerView {
  id: number;
  type: string;
  name: string;
  status: string;
  lifecycleStage: string;
  source: string | null;
  level: string | null;
  institution: string | null;
  title: string | null;
  phone: string | null;
  email: string | null;
  notes: string | null;
  owner: { id: number; name: string };
  departmentId: number;
  nextFollowUpAt: string | null;
  lastFollowUpAt: string | null;
  version: number;
  createdAt: string;
  updatedAt: string;
}
