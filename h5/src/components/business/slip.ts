/** 确认单 (a fund's confirmation slip) as SlipFields.vue holds it, and what a form sends of it. */
import { typedNumber } from './money';

export interface Slip {
  shares: string;
  nav: string;
  confirmedOn: string | null;
}

export const emptySlip = (): Slip => ({ shares: '', nav: '', confirmedOn: null });

/** The slip's figures as the trade schemas take them (each optional; `withShares: false` leaves the shares to the form). */
export function slipBody(slip: Slip, withShares = true): { shares?: number; nav?: number; confirmedOn?: string } {
  return {
    ...(withShares ? { shares: typedNumber(slip.shares) } : {}),
    nav: typedNumber(slip.nav),
    confirmedOn: slip.confirmedOn ?? undefined,
  };
}

/** What only the form knows: a slip cannot confirm before the trade. */
export const slipDateError = (slip: Slip, tradedOn: string): string | undefined =>
  slip.confirmedOn && slip.confirmedOn < tradedOn ? '确认日期不能早于交易日期' : undefined;
