/**
 * How the H5 writes money, shares, NAVs and dates: one way on every page — shared/format.ts, which
 * is also what the server writes for people. Amounts shown alone or coloured: AmountText (kit).
 */
import { moneyText } from '@shared/format';

export { dateText, dateTimeText, initialOf, moneyText, navText, sharesText } from '@shared/format';

/**
 * @deprecated The old name of `moneyText`, kept for the pages of other areas (dashboard boards,
 * product pages) until they call it by its name.
 */
export const yuanText = moneyText;
