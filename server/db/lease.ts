import type { Sequelize, Transaction } from 'sequelize';
import { insertIgnoringDuplicates, updateRows } from './dialect';

/**
 * A named lease in the `leases` table: at most one holder across all instances until it
 * expires. Holders renew it while working; a crashed holder's lease simply runs out.
 */
export class Lease {
  constructor(
    private readonly sequelize: Sequelize,
    readonly name: string,
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the lease if nobody holds it or the holder's lease expired. Inside `transaction`, a
   * competing acquirer waits on the row until this transaction ends (MySQL row lock; SQLite's
   * single writer), so the holder can create its work record before anyone looks for it.
   */
  async acquire(transaction?: Transaction): Promise<boolean> {
    const now = new Date(this.now());
    const expires = new Date(this.now() + this.ttlMs);
    const inserted = await insertIgnoringDuplicates(
      this.sequelize,
      'leases',
      {
        name: this.name,
        owner: this.owner,
        expires_at: expires,
        created_at: now,
        updated_at: now,
      },
      { transaction },
    );
    if (inserted) return true;
    return this.update(
      'UPDATE leases SET owner = ?, expires_at = ?, updated_at = ? WHERE name = ? AND expires_at < ?',
      [this.owner, expires, now, this.name, now],
      transaction,
    );
  }

  /** Extends the lease; false if it was lost (expired and taken by someone else). */
  async renew(): Promise<boolean> {
    const now = new Date(this.now());
    return this.update('UPDATE leases SET expires_at = ?, updated_at = ? WHERE name = ? AND owner = ?', [
      new Date(this.now() + this.ttlMs),
      now,
      this.name,
      this.owner,
    ]);
  }

  async release(): Promise<void> {
    await this.sequelize.query('DELETE FROM leases WHERE name = ? AND owner = ?', {
      replacements: [this.name, this.owner],
    });
  }

  private async update(sql: string, replacements: unknown[], transaction?: Transaction): Promise<boolean> {
    return (await updateRows(this.sequelize, sql, replacements, transaction)) === 1;
  }
}
