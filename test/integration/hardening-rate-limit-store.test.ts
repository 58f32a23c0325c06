/**
 * The shared store behind people's WeCom budgets (server/db/rate-limit-store.ts): rate-limiter-
 * flexible counting on `rate_limit_points`, the same on SQLite and MariaDB — a window that fills,
 * refuses with the time left, starts afresh when it ends, and never lets concurrent consumers
 * (other requests, other instances) through beyond its points.
 */
import { RateLimiterRes } from 'rate-limiter-flexible';
import { createScratchDatabase, databaseTargets, type ScratchDatabase } from '../helpers/database';
import { FakeClock } from '../helpers/simulator';
import { SqlRateLimiter } from '../../server/db/rate-limit-store';

describe.each(databaseTargets())('SqlRateLimiter on $label', (target) => {
  let db: ScratchDatabase;
  const clock = new FakeClock();
  const limiter = (keyPrefix: string, points: number) => new SqlRateLimiter({ sequelize: db.sequelize, now: clock.now, keyPrefix, points, duration: 60 });
  const refusalOf = (consumed: Promise<unknown>) =>
    consumed.then(
      () => null,
      (err: unknown) => err,
    );

  beforeAll(async () => {
    db = await createScratchDatabase(target);
  });
  afterAll(() => db.drop());

  it('refuses past its points with the time left in the window, and starts afresh when the window ends', async () => {
    const budget = limiter('window', 2);
    await budget.consume('rep');
    clock.advance(20_000);
    await budget.consume('rep');

    const refused = await refusalOf(budget.consume('rep'));
    clock.advance(40_000);
    const fresh = await budget.consume('rep');

    expect(refused).toBeInstanceOf(RateLimiterRes);
    expect((refused as RateLimiterRes).msBeforeNext).toBe(40_000);
    expect(fresh).toMatchObject({ consumedPoints: 1, remainingPoints: 1 });
  });

  it('lets exactly its points through when many consume at once, from two limiters on one table (two instances)', async () => {
    const instances = [limiter('race', 10), limiter('race', 10)];

    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => refusalOf(instances[i % 2]!.consume('rep'))));

    expect(outcomes.filter((o) => o === null)).toHaveLength(10);
    expect(outcomes.filter((o) => o instanceof RateLimiterRes)).toHaveLength(20);
  });

  it('keeps one key apart from another', async () => {
    const budget = limiter('keys', 1);
    await budget.consume('rep-a');

    expect(await refusalOf(budget.consume('rep-b'))).toBeNull();
  });
});
