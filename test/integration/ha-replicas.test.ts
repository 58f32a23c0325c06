/**
 * A primary with an asynchronous replica (scripts/galera ReplicaPair) behind `DATABASE_READ_URLS`:
 * reads go to the replica only inside `readsFromReplicas`, and a replica that stops applying or
 * stops answering is passed over. Runs wherever mariadb-server is installed; skipped elsewhere.
 */
import { rmSync } from 'node:fs';
import { QueryTypes, type Sequelize } from 'sequelize';
import { galeraMissing, ReplicaPair } from '../../scripts/galera/cluster';
import { openDatabase } from '../../server/db';
import { readsFromReplicas } from '../../server/db/replicas';

const missing = process.env.HA_GALERA === 'off' ? 'HA_GALERA=off' : galeraMissing();
if (missing) console.warn(`ha-replicas: skipped — ${missing}`);

(missing ? describe.skip : describe)('a primary with a read replica', () => {
  const pair = new ReplicaPair({ dir: `/tmp/wt-ha-replica-test-${process.pid}`, port: 23571 });
  let db: Sequelize;
  const names = (sql: string) => db.query<{ name: string }>(sql, { type: QueryTypes.SELECT }).then((rows) => rows.map((r) => r.name));

  beforeAll(async () => {
    await pair.start();
    await pair.primary.sql(
      "CREATE DATABASE ha_test; CREATE TABLE ha_test.notes (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL); INSERT INTO ha_test.notes (name) VALUES ('old')",
    );
    await pair.caughtUp();
    db = await openDatabase({ dialect: 'mysql', url: pair.primary.url('ha_test'), readUrls: [pair.replica.url('ha_test')] });
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await pair.stop();
    rmSync(pair.options.dir, { recursive: true, force: true });
  }, 60_000);

  it('reads the primary by default, and the replica only for work marked read-only', async () => {
    await pair.replica.sql('STOP SLAVE SQL_THREAD');
    await db.query("INSERT INTO notes (name) VALUES ('new')");

    const primary = await names('SELECT name FROM notes ORDER BY id');
    const replica = await readsFromReplicas(() => names('SELECT name FROM notes ORDER BY id'));

    expect(primary).toEqual(['old', 'new']);
    expect(replica).toEqual(['old']); // the replica is not applying: it lacks the write
  });

  it('passes over a replica that stopped applying the primary’s log', async () => {
    let seen: string[] = [];
    for (let i = 0; i < 50 && seen.length < 2; i++) {
      seen = await readsFromReplicas(() => names('SELECT name FROM notes ORDER BY id'));
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(seen).toEqual(['old', 'new']);
  }, 30_000);

  it('keeps answering reads while the replica is down, and uses it again once it is back', async () => {
    await pair.replica.sql('START SLAVE SQL_THREAD');
    await pair.stopReplica();

    const whileDown = await readsFromReplicas(() => names('SELECT name FROM notes ORDER BY id'));
    await pair.startReplica();
    await pair.replica.sql('STOP SLAVE SQL_THREAD');
    await pair.primary.sql("INSERT INTO ha_test.notes (name) VALUES ('later')");
    let back: string[] = [];
    for (let i = 0; i < 100 && back.length !== 2; i++) {
      back = await readsFromReplicas(() => names('SELECT name FROM notes ORDER BY id'));
      await new Promise((r) => setTimeout(r, 100));
    }

    expect(whileDown).toEqual(['old', 'new']);
    expect(back).toEqual(['old', 'new']); // the replica again (without 'later'), once the pass-over ended
  }, 60_000);
});
