/**
 * Money crosses the API in yuan (a number with at most two decimals) and is stored in fen
 * (an integer), so sums stay exact; fund shares likewise in hundredths of a share.
 */
import { z } from 'zod';

const hasAtMostTwoDecimals = (v: number) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6;

/** A positive yuan amount up to one hundred billion, at most two decimals. */
export const yuan = z.number().positive('金额必须大于 0').max(1e11, '金额过大').refine(hasAtMostTwoDecimals, '金额最多两位小数');

/** A non-zero signed yuan amount (an adjustment). */
export const signedYuan = z
  .number()
  .min(-1e11, '金额过大')
  .max(1e11, '金额过大')
  .refine((v) => v !== 0, '调整金额不能为 0')
  .refine(hasAtMostTwoDecimals, '金额最多两位小数');

export const toHundredths = (value: number): number => Math.round(value * 100);
export const fromHundredths = (value: number | string | bigint): number => Number(value) / 100;
