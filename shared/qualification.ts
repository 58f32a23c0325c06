/** 合格投资者: the schema of a recorded qualification; the rules (shared/qualification-rules.ts, no zod) re-exported. */
import { z } from 'zod';
import { dateOnly, pastDate } from './fields';
import { QUALIFICATION_BASES, type QualificationBasis } from './qualification-rules';

export * from './qualification-rules';

/** A customer's qualification as recorded (PUT /api/customers/:id/qualification); a null basis clears it. */
export const qualificationSchema = z
  .object({
    basis: z.enum(Object.keys(QUALIFICATION_BASES) as [QualificationBasis, ...QualificationBasis[]], '请选择合格投资者认定依据').nullable(),
    evidenceOn: pastDate.nullable(),
    validUntil: dateOnly.nullable(),
  })
  .superRefine((q, ctx) => {
    if (q.basis === null) return;
    if (!q.evidenceOn) ctx.addIssue({ code: 'custom', path: ['evidenceOn'], message: '请填写证明材料日期' });
    if (!q.validUntil) ctx.addIssue({ code: 'custom', path: ['validUntil'], message: '请填写认定有效期至' });
    if (q.evidenceOn && q.validUntil && q.validUntil < q.evidenceOn)
      ctx.addIssue({ code: 'custom', path: ['validUntil'], message: '有效期至不能早于证明材料日期' });
  });
