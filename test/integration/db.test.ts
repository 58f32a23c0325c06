import { QueryTypes } from 'sequelize';
import { migrateDownAll, migrateUp, pendingMigrations } from '../../server/db';
import { dateBucketSql, forUpdateSkipLockedSql, insertIgnoringDuplicates } from '../../server/db/dialect';
import { withDatabaseLock } from '../../server/db/lease';
import { migrations } from '../../server/db/migrations';
import { databaseTargets, useTestDatabase } from '../helpers/database';

describe.each(databaseTargets())('database on $label', (target) => {
  describe('migrations', () => {
    const db = useTestDatabase(target, { migrate: false });
    // Applying or reverting every migration is some 300 DDL statements (327 in the migration
    // files, up and down). MariaDB runs DDL one at a time server-wide, so while the other jest
    // worker copies and empties its scratch schemas these wait their turn: 0.6 s alone, 6 s beside
    // one busy file here, over 30 s once in a fresh-clone CI.
    const WHOLE_SCHEMA_MS = 180_000;

    it(
      'apply every migration on an empty database',
      async () => {
        const applied = await migrateUp(db.sequelize);

        expect(applied).toEqual(migrations.map((m) => m.name));
        expect(await pendingMigrations(db.sequelize)).toEqual([]);
      },
      WHOLE_SCHEMA_MS,
    );

    it('create the kv_cache table', async () => {
      const columns = await db.sequelize.getQueryInterface().describeTable('kv_cache');

      expect(Object.keys(columns)).toEqual(expect.arrayContaining(['cache_key', 'value', 'expires_at', 'created_at', 'updated_at']));
    });

    it('do nothing when run again', async () => {
      expect(await migrateUp(db.sequelize)).toEqual([]);
    });

    it(
      'revert cleanly and apply again',
      async () => {
        const reverted = await migrateDownAll(db.sequelize);
        const tables = (await db.sequelize.getQueryInterface().showAllTables()).map(String);

        expect(reverted).toHaveLength(migrations.length);
        expect(tables).not.toContain('kv_cache');
        expect(await migrateUp(db.sequelize)).toHaveLength(migrations.length);
      },
      WHOLE_SCHEMA_MS,
    );
  });

  describe('dialect helpers', () => {
    const db = useTestDatabase(target);

    it('bucket dates by day, month and year identically', async () => {
      const day = dateBucketSql(db.sequelize, 'expires_at', 'day');
      const month = dateBucketSql(db.sequelize, 'expires_at', 'month');
      const year = dateBucketSql(db.sequelize, 'expires_at', 'year');
      await db.sequelize.query(
        `INSERT INTO kv_cache (cache_key, value, expires_at, created_at, updated_at)
         VALUES ('bucket', 'v', ?, ?, ?)`,
        { replacements: ['2026-03-07 10:11:12', '2026-01-01 00:00:00', '2026-01-01 00:00:00'] },
      );

      const [row] = await db.sequelize.query<{ d: string; m: string; y: string }>(
        `SELECT ${day} AS d, ${month} AS m, ${year} AS y FROM kv_cache WHERE cache_key = 'bucket'`,
        { type: QueryTypes.SELECT },
      );

      expect(row).toEqual({ d: '2026-03-07', m: '2026-03', y: '2026' });
    });

    it('refuse to interpolate anything but an identifier', () => {
      expect(() => dateBucketSql(db.sequelize, 'x); DROP TABLE kv_cache; --', 'day')).toThrow(/unsafe SQL identifier/);
    });

    it('insert a row once and report a duplicate as zero rows', async () => {
      const row = { cache_key: 'dup', value: '1', created_at: new Date(), updated_at: new Date() };

      const first = await insertIgnoringDuplicates(db.sequelize, 'kv_cache', row);
      const second = await insertIgnoringDuplicates(db.sequelize, 'kv_cache', { ...row, value: '2' });
      const [stored] = await db.sequelize.query<{ value: string }>("SELECT value FROM kv_cache WHERE cache_key = 'dup'", { type: QueryTypes.SELECT });

      expect(first).toBe(1);
      expect(second).toBe(0);
      expect(stored?.value).toBe('1');
    });

    it('claim rows with SKIP LOCKED only on MySQL', () => {
      expect(forUpdateSkipLockedSql(db.sequelize)).toBe(target.label === 'mysql' ? ' FOR UPDATE SKIP LOCKED' : '');
    });

    it('run a critical section under a database lock and return its result', async () => {
      const order: string[] = [];

      const results = await Promise.all([
        withDatabaseLock(db.sequelize, 'test-lock', 5, async () => {
          order.push('a:start');
          await new Promise((r) => setTimeout(r, 50));
          order.push('a:end');
          return 'a';
        }),
        withDatabaseLock(db.sequelize, 'test-lock', 5, async () => {
          order.push('b:start');
          order.push('b:end');
          return 'b';
        }),
      ]);

      expect(results).toEqual(['a', 'b']);
      if (target.label === 'mysql') {
        // Whoever got the lock first finished before the other started.
        expect([order.slice(0, 2), order.slice(2)].every(([s, e]) => s![0] === e![0])).toBe(true);
      }
    });
  });
});
