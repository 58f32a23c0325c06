import { QueryTypes, type Sequelize } from 'sequelize';
import { insertIgnoringDuplicates, upsertRow } from './dialect';

export interface KvEntry {
  value: string;
  expiresAt: Date | null;
}

/** A small key-value store with expiry, shared by every instance through the database. */
export interface KvStore {
  get(key: string): Promise<KvEntry | null>;
  set(key: string, value: string, expiresAt: Date | null): Promise<void>;
  delete(key: string): Promise<void>;
  /** Sets the key unless a live entry holds it; true when this caller got it (a lease every instance respects). */
  claim(key: string, value: string, expiresAt: Date): Promise<boolean>;
}

/** `kv_cache` table implementation. Expired entries read as missing. */
export class SqlKvStore implements KvStore {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<KvEntry | null> {
    const [row] = await this.sequelize.query<{ value: string; expires_at: string | Date | null }>(
      'SELECT value, expires_at FROM kv_cache WHERE cache_key = ?',
      { replacements: [key], type: QueryTypes.SELECT },
    );
    if (!row) return null;
    const expiresAt = row.expires_at === null ? null : new Date(row.expires_at);
    if (expiresAt && expiresAt.getTime() <= this.now()) return null;
    return { value: row.value, expiresAt };
  }

  async set(key: string, value: string, expiresAt: Date | null): Promise<void> {
    const now = new Date(this.now());
    await upsertRow(
      this.sequelize,
      'kv_cache',
      { cache_key: key, value, expires_at: expiresAt, created_at: now, updated_at: now },
      ['cache_key'],
      ['value', 'expires_at', 'updated_at'],
    );
  }

  async delete(key: string): Promise<void> {
    await this.sequelize.query('DELETE FROM kv_cache WHERE cache_key = ?', { replacements: [key] });
  }

  async claim(key: string, value: string, expiresAt: Date): Promise<boolean> {
    const now = new Date(this.now());
    // An expired holder gave up (or crashed): its entry goes, then the key's primary key decides who gets it.
    await this.sequelize.query('DELETE FROM kv_cache WHERE cache_key = ? AND expires_at <= ?', { replacements: [key, now] });
    const inserted = await insertIgnoringDuplicates(this.sequelize, 'kv_cache', {
      cache_key: key,
      value,
      expires_at: expiresAt,
      created_at: now,
      updated_at: now,
    });
    return inserted === 1;
  }
}
