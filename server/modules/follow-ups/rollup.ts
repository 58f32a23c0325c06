/**
 * `follow_ups_monthly`: live customer follow-ups per China month and author (migration 0012).
 * Every follow-up write moves its count in the same transaction, so target progress reads
 * months instead of counting follow-ups.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { businessDate } from '@shared/time';
import { addToCounters, chinaMonthSql, updateRows } from '../../db/dialect';

/** Count a live follow-up in (`sign` 1) or out of (`sign` -1) its author's month. */
export async function countFollowUp(
  sequelize: Sequelize,
  followUp: { user_id: number; followed_at: Date },
  sign: 1 | -1,
  transaction: Transaction,
): Promise<void> {
  const key = { month: businessDate(new Date(followUp.followed_at)).slice(0, 7), user_id: followUp.user_id };
  await addToCounters(sequelize, 'follow_ups_monthly', key, { follow_up_count: sign }, { updated_at: new Date(), created_at: new Date() }, { transaction });
  if (sign < 0)
    await updateRows(
      sequelize,
      'DELETE FROM follow_ups_monthly WHERE month = ? AND user_id = ? AND follow_up_count = 0',
      [key.month, key.user_id],
      transaction,
    );
}

/** Count every live follow-up again (after a bulk load that bypassed the service). */
export async function rebuildFollowUpRollup(sequelize: Sequelize, transaction?: Transaction): Promise<void> {
  const month = chinaMonthSql(sequelize, 'followed_at');
  const now = new Date();
  await updateRows(sequelize, 'DELETE FROM follow_ups_monthly', [], transaction);
  await sequelize.query(
    `INSERT INTO follow_ups_monthly (month, user_id, follow_up_count, created_at, updated_at)
     SELECT ${month}, user_id, COUNT(*), ?, ? FROM follow_ups WHERE deleted_at IS NULL GROUP BY ${month}, user_id`,
    { replacements: [now, now], transaction },
  );
}
