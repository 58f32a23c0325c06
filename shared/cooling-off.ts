/**
 * 冷静期 and 回访 of a private product's buy (server/README.md#cooling-off-冷静期-and-回访).
 *
 * 《私募投资基金募集行为管理办法》(中国证券投资基金业协会, 2016): 第二十八条 — the fund contract
 * gives the investor a 冷静期 of at least 24 hours, starting once the subscription is paid, during
 * which the seller may not contact the investor to push the sale and the investor may cancel;
 * 第二十九条 — after the 冷静期, someone other than the staff who sold it (从事私募基金推介业务以外的人员)
 * makes a 回访确认 (by phone, e-mail, letter), and until it succeeds the investor may cancel and is
 * refunded. 双录 (录音录像) of the sale, where required (《证券期货经营机构及其工作人员销售金融产品
 * 录音录像管理规定》, the product's own rules), is referenced on the buy before it is confirmed.
 */
import { z } from 'zod';

export const COOLING_OFF_HOURS = 24;

export const CALLBACK_STATUSES = { pending: '待回访', confirmed: '回访确认', cancelled: '已撤销', unreachable: '无法联系' } as const;
export type CallbackStatusCode = keyof typeof CALLBACK_STATUSES;

/** The 回访's outcome as the caller records it. */
export const callbackSchema = z.object({
  outcome: z.enum(['confirmed', 'cancelled', 'unreachable'], '请选择回访结果'),
  note: z.string().trim().max(500, '回访记录不能超过 500 字').optional(),
  /** 双录's reference: its id, file name or link. */
  recordingRef: z.string().trim().min(1).max(255, '双录编号不能超过 255 字').optional(),
});
export type CallbackInput = z.infer<typeof callbackSchema>;

/** The customer cancels during the 冷静期. */
export const coolingOffCancelSchema = z.object({ reason: z.string().trim().min(1, '请填写撤销原因').max(500, '撤销原因不能超过 500 字') });

/** A buy waiting for (or past) its 回访, as 合规 lists it. */
export interface CallbackItem {
  id: number;
  customer: { id: number; name: string };
  product: { id: number; name: string; recordingRequired: boolean };
  rep: { id: number; name: string } | null;
  amount: number;
  tradedOn: string;
  coolingOffEndsAt: string | null;
  /** True while the 冷静期 runs (no 回访 yet; the customer may still cancel). */
  inCoolingOff: boolean;
  callbackStatus: CallbackStatusCode;
  recordingRef: string | null;
}
