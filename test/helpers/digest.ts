import { QueryTypes, type Sequelize } from 'sequelize';
import { businessDate } from '@shared/time';
import { queueDailyDigests } from '../../server/modules/reminders/digest';

/** The text of a user's daily digest of `day` ('' when none was queued). */
export async function digestOf(sequelize: Sequelize, userId: number, day: Date): Promise<string> {
  const [row] = await sequelize.query<{ description: string }>(
    "SELECT description FROM notifications WHERE user_id = ? AND kind = 'digest' AND dedupe_key = ?",
    {
      replacements: [userId, `digest:${businessDate(day)}:${userId}`],
      type: QueryTypes.SELECT,
    },
  );
  return row?.description ?? '';
}

/** Queues today's and tomorrow's digests (30 days ahead) and returns the user's two: the second must not repeat what the first said. */
export async function twoDaysOfDigests(sequelize: Sequelize, userId: number): Promise<[today: string, tomorrow: string]> {
  const today = new Date();
  const tomorrow = new Date(today.getTime() + 86_400_000);
  await queueDailyDigests(sequelize, today, 30);
  await queueDailyDigests(sequelize, tomorrow, 30);
  return [await digestOf(sequelize, userId, today), await digestOf(sequelize, userId, tomorrow)];
}
