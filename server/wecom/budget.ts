/**
 * How many WeCom calls people may make. WeCom allows 10,000 calls a minute and 150,000 an hour per
 * API per corp and blocks the API for the whole corp past that (90454 访问频率限制,
 * developer.work.weixin.qq.com/document/path/90454; blocks.ts) — so one person looping over ids
 * must not be able to spend it. Every call a person-facing client makes (WecomClient.forPeople)
 * is charged here before it leaves:
 * - to the person the request acts for (acting-person.ts): 100 a minute, 1 % of one API's minute
 *   and 4 % of its hour — beyond it their requests answer 429 until the minute is over (a request
 *   without a session — the OAuth login's code exchange — has no person and only counts below);
 * - to everyone together: 5,000 a minute, so background work (syncs, the event worker, jobs, which
 *   use the process's own client and are charged nothing here) always keeps half of every minute.
 * The counts live in the database (SqlRateLimiter), so every instance shares them; a person over
 * their budget is then refused from memory until the minute ends, without a database round trip.
 */
import type { Sequelize } from 'sequelize';
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { DomainError, rateLimited } from '../errors';
import { SqlRateLimiter } from '../db/rate-limit-store';
import { actingPerson } from './acting-person';

export const PERSON_CALLS_PER_MINUTE = 100;
export const PEOPLE_CALLS_PER_MINUTE = 5_000;
const WINDOW_SECONDS = 60;
/** Ended windows are swept at most this often (rows of people who left stay otherwise). */
const SWEEP_EVERY_MS = 5 * 60_000;

/** Charged once per WeCom request a person-facing client sends (retries included: each costs quota). */
export interface CallBudget {
  charge(api: string): Promise<void>;
}

export class PeopleCallBudget implements CallBudget {
  private readonly perPerson: SqlRateLimiter;
  private readonly everyone: SqlRateLimiter;
  private readonly now: () => number;
  private sweptAt = 0;

  constructor(sequelize: Sequelize, corpId: string, options: { perPerson?: number; everyone?: number; now?: () => number } = {}) {
    this.now = options.now ?? Date.now;
    const limiter = (name: string, points: number) =>
      new SqlRateLimiter({
        sequelize,
        now: this.now,
        keyPrefix: `wecom-calls:${corpId}:${name}`,
        points,
        duration: WINDOW_SECONDS,
        // Over the budget: refused from memory until the window ends, no more database writes.
        inMemoryBlockOnConsumed: points + 1,
        // The database unreachable: each instance keeps counting in memory instead of failing open.
        insuranceLimiter: new RateLimiterMemory({ points, duration: WINDOW_SECONDS }),
      });
    this.perPerson = limiter('person', options.perPerson ?? PERSON_CALLS_PER_MINUTE);
    this.everyone = limiter('people', options.everyone ?? PEOPLE_CALLS_PER_MINUTE);
  }

  async charge(): Promise<void> {
    const person = actingPerson();
    try {
      if (person) await this.perPerson.consume(person.key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = secondsOf(err);
      throw rateLimited(`企业微信相关操作过于频繁，请约 ${seconds} 秒后再试`, seconds);
    }
    try {
      await this.everyone.consume('all');
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const seconds = secondsOf(err);
      throw new DomainError('unavailable', 'wecom_busy', `企业微信接口繁忙，约 ${seconds} 秒后可再试`, undefined, seconds);
    }
    this.sweep();
  }

  private sweep(): void {
    if (this.now() - this.sweptAt < SWEEP_EVERY_MS) return;
    this.sweptAt = this.now();
    void this.perPerson.deleteExpired().catch(() => undefined);
  }
}

/** For a refusal of this budget (the person's minute or everyone's): how long until its window ends, in ms; undefined for any other error. */
export function budgetWaitMs(err: unknown): number | undefined {
  if (!(err instanceof DomainError) || (err.code !== 'too_many_requests' && err.code !== 'wecom_busy')) return undefined;
  return (err.retryAfterSeconds ?? WINDOW_SECONDS) * 1000;
}

const secondsOf = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));
