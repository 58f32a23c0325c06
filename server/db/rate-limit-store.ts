/**
 * A rate-limiter-flexible store on our own database (`rate_limit_points`, migration 0024), so a
 * limit holds across every instance on SQLite and on MySQL / MariaDB alike.
 *
 * Why not one of the library's stores: RateLimiterMySQL takes our Sequelize but borrows raw
 * connections from its pool, issues `CREATE DATABASE` / `CREATE TABLE` of its own outside our
 * migrations and speaks mysql2 only; RateLimiterSQLite wants a bare `sqlite3.Database` (Sequelize's
 * SQLite dialect opens a connection per transaction, so there is none to hand it) and creates its
 * table itself. Neither serves both dialects through one connection and one migration list, so
 * this store extends RateLimiterStoreAbstract — the library's documented way to add a store — and
 * keeps the library's counting, blocking and in-memory block: only the atomic upsert is ours.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { IRateLimiterStoreOptions, RateLimiterRes as RateLimiterResType, RateLimiterStoreAbstract as StoreAbstractType } from 'rate-limiter-flexible';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { dialectOf } from './connection';

/*
 * The package declares RateLimiterStoreAbstract in its types but does not export it from its
 * entry point; the class lives in lib/ (its README: "Any new limiter with storage must be
 * extended from RateLimiterStoreAbstract").
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RateLimiterStoreAbstract = require('rate-limiter-flexible/lib/RateLimiterStoreAbstract') as typeof StoreAbstractType;

interface StoredPoints {
  points: number;
  expiresAt: number | null;
}

export type SqlRateLimiterOptions = Omit<IRateLimiterStoreOptions, 'storeClient' | 'storeType' | 'dbName' | 'tableName' | 'tableCreated'> & {
  sequelize: Sequelize;
  now?: () => number;
};

export class SqlRateLimiter extends RateLimiterStoreAbstract {
  private readonly sequelize: Sequelize;
  private readonly now: () => number;

  constructor({ sequelize, now, ...options }: SqlRateLimiterOptions) {
    super({ ...options, storeClient: sequelize });
    this.sequelize = sequelize;
    this.now = now ?? Date.now;
  }

  /** Adds `points` to the key's window (a new window when the last one has expired), atomically; the key's row after. */
  protected async _upsert(rlKey: string, points: number, msDuration: number, forceExpire = false): Promise<StoredPoints> {
    const now = this.now();
    const expiresAt = msDuration > 0 ? now + msDuration : null;
    const mysql = dialectOf(this.sequelize) === 'mysql';
    const incoming = (column: string) => (mysql ? `VALUES(${column})` : `excluded.${column}`);
    // Both dialects evaluate every SET expression on the row as it was, so `points` sees the old expiry.
    const expired = `(expires_at IS NOT NULL AND expires_at <= ${Number(now)})`;
    const set = forceExpire
      ? `points = ${incoming('points')}, expires_at = ${incoming('expires_at')}`
      : `points = CASE WHEN ${expired} THEN ${incoming('points')} ELSE points + ${incoming('points')} END,
         expires_at = CASE WHEN ${expired} THEN ${incoming('expires_at')} ELSE expires_at END`;
    const insert = 'INSERT INTO rate_limit_points (limit_key, points, expires_at) VALUES (?, ?, ?)';
    const sql = mysql ? `${insert} ON DUPLICATE KEY UPDATE ${set}` : `${insert} ON CONFLICT (limit_key) DO UPDATE SET ${set}`;
    return this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query(sql, { replacements: [rlKey, points, expiresAt], type: QueryTypes.INSERT, transaction });
      const [row] = await this.sequelize.query<{ points: number | string; expires_at: number | string | null }>(
        'SELECT points, expires_at FROM rate_limit_points WHERE limit_key = ?',
        { replacements: [rlKey], type: QueryTypes.SELECT, transaction },
      );
      return { points: Number(row!.points), expiresAt: row!.expires_at === null ? null : Number(row!.expires_at) };
    });
  }

  protected async _get(rlKey: string): Promise<StoredPoints | null> {
    const [row] = await this.sequelize.query<{ points: number | string; expires_at: number | string | null }>(
      'SELECT points, expires_at FROM rate_limit_points WHERE limit_key = ? AND (expires_at IS NULL OR expires_at > ?)',
      { replacements: [rlKey, this.now()], type: QueryTypes.SELECT },
    );
    return row ? { points: Number(row.points), expiresAt: row.expires_at === null ? null : Number(row.expires_at) } : null;
  }

  protected async _delete(rlKey: string): Promise<boolean> {
    const [, affected] = (await this.sequelize.query('DELETE FROM rate_limit_points WHERE limit_key = ?', {
      replacements: [rlKey],
      type: QueryTypes.DELETE,
    })) as unknown as [unknown, number];
    return Number(affected ?? 0) > 0;
  }

  protected _getRateLimiterRes(_rlKey: string, changedPoints: number, stored: StoredPoints): RateLimiterResType {
    const msBeforeNext = stored.expiresAt === null ? -1 : Math.max(stored.expiresAt - this.now(), 0);
    return new RateLimiterRes(Math.max(this.points - stored.points, 0), msBeforeNext, stored.points, stored.points === changedPoints);
  }

  /** Rows of windows that ended before `before` (epoch ms): nothing reads them again. */
  async deleteExpired(before = this.now()): Promise<void> {
    await this.sequelize.query('DELETE FROM rate_limit_points WHERE expires_at IS NOT NULL AND expires_at < ?', { replacements: [before] });
  }
}
