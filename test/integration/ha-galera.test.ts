/**
 * The job engine and the database lock on a 3-node MariaDB Galera cluster (scripts/galera), the
 * short version of `npm run bench -- --reliability --galera`. Runs wherever galera-4 and
 * mariadb-server are installed (CI has them); skipped, saying why, elsewhere.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { DataTypes, QueryTypes, type Sequelize } from 'sequelize';
import { galeraMissing, GaleraCluster } from '../../scripts/galera/cluster';
import { openDatabase } from '../../server/db';
import { retryOnDeadlock } from '../../server/db/dialect';
import { withDatabaseLock } from '../../server/db/lease';
import { DurableQueue, queueTable } from '../../server/jobs/queue';

const missing = process.env.HA_GALERA === 'off' ? 'HA_GALERA=off' : galeraMissing();
if (missing) console.warn(`ha-galera: skipped — ${missing}`);

const JOBS = 300;
const QUEUE = queueTable('ha_jobs', { column: 'status', ready: 'ready', running: 'running', dead: 'dead' }, { order: 'q.id' });

(missing ? describe.skip : describe)('a 3-node Galera cluster', () => {
  const cluster = new GaleraCluster({ dir: `/tmp/wt-ha-test-${process.pid}`, port: 23461 });
  const pools: Sequelize[] = [];
  /** A connection pool of its own on node `n` (1-based), as an instance pointed at that node has. */
  const on = async (n: number) => {
    const sequelize = await openDatabase({ dialect: 'mysql', url: cluster.node(n).url('ha_test') });
    pools.push(sequelize);
    return sequelize;
  };

  beforeAll(async () => {
    // Sequelize warns of each commit that failed certification (the losers the test expects) and of the rollbacks on the killed node.
    const warn = console.warn.bind(console);
    jest.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => {
      if (!/^(Committing|Rolling back) transaction .* failed/.test(String(args[0]))) warn(...args);
    });
    await cluster.start();
    const db = await on(1);
    await db.query(`CREATE TABLE ha_jobs (
      id INT AUTO_INCREMENT PRIMARY KEY, status VARCHAR(16) NOT NULL, attempts INT NOT NULL DEFAULT 0,
      next_attempt_at DATETIME(3) NOT NULL, locked_by VARCHAR(64), locked_at DATETIME(3), last_error TEXT, updated_at DATETIME(3))`);
    // Each application of a job, not keyed by the job: a job done twice shows as two rows.
    await db.query('CREATE TABLE ha_applied (id INT AUTO_INCREMENT PRIMARY KEY, job_id INT NOT NULL, worker VARCHAR(64) NOT NULL)');
  }, 180_000);

  afterAll(async () => {
    for (const pool of pools) await pool.close().catch(() => undefined);
    await cluster.stop();
    rmSync(cluster.options.dir, { recursive: true, force: true });
  }, 120_000);

  const enqueue = async (db: Sequelize) => {
    await db.query('DELETE FROM ha_jobs');
    await db.query('DELETE FROM ha_applied');
    const values = Array.from({ length: JOBS }, () => "('ready', NOW(3) - INTERVAL 1 SECOND)").join(', ');
    await db.query(`INSERT INTO ha_jobs (status, next_attempt_at) VALUES ${values}`);
  };

  /** A worker on `db`: claims 5 at a time, applies each job and marks it done in one transaction, until told to stop or nothing is left. */
  const work = async (db: Sequelize, name: string, until: { stop: boolean }, leaseMs = 60_000) => {
    const queue = new DurableQueue(db, QUEUE, { maxAttempts: 10, baseMs: 10, capMs: 50 });
    let idle = 0;
    while (!until.stop && idle < 60) {
      try {
        await queue.reclaim(leaseMs);
        const ids = await queue.claim(name, 5);
        idle = ids.length ? 0 : idle + 1;
        for (const id of ids)
          await retryOnDeadlock(() =>
            db.transaction(async (transaction) => {
              await db.query('INSERT INTO ha_applied (job_id, worker) VALUES (?, ?)', { replacements: [id, name], transaction });
              if (!(await queue.complete(name, id, 'done', {}, transaction))) throw new Error(`job ${id} is no longer ours`);
            }),
          );
      } catch {
        idle++; // a lost race after its retries, or our node is gone: the job is someone else's or comes back after its lease
      }
      if (!idle) continue;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const outcome = async (db: Sequelize) => {
    const [row] = await db.query<{ done: number; applied: number; twice: number }>(
      `SELECT (SELECT COUNT(*) FROM ha_jobs WHERE status = 'done') AS done, (SELECT COUNT(*) FROM ha_applied) AS applied,
              (SELECT COUNT(*) FROM (SELECT job_id FROM ha_applied GROUP BY job_id HAVING COUNT(*) > 1) t) AS twice`,
      { type: QueryTypes.SELECT },
    );
    return { done: Number(row!.done), applied: Number(row!.applied), twice: Number(row!.twice) };
  };

  it('lets one holder at a time into a critical section, across nodes (GET_LOCK would let both in)', async () => {
    const [a, b] = [await on(1), await on(2)];
    const inside: string[] = [];
    const section = (db: Sequelize, who: string) =>
      withDatabaseLock(db, 'ha-test', 30, async () => {
        inside.push(`${who}:in`);
        await new Promise((r) => setTimeout(r, 300));
        inside.push(`${who}:out`);
      });

    await Promise.all([section(a, 'a'), section(b, 'b'), section(a, 'c'), section(b, 'd')]);

    for (let i = 0; i < inside.length; i += 2) expect(inside[i + 1]).toBe(inside[i]!.replace(':in', ':out'));
  }, 60_000);

  it('returns the ids a multi-row insert really got (Galera spaces them by the cluster size)', async () => {
    const db = await on(2);
    await db.query('CREATE TABLE ha_names (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL)');
    const Name = db.define(
      'HaName',
      { id: { type: DataTypes.INTEGER, autoIncrement: true, primaryKey: true }, name: DataTypes.STRING },
      { tableName: 'ha_names', timestamps: false },
    );

    const created = await Name.bulkCreate([{ name: 'a' }, { name: 'b' }, { name: 'c' }]);
    const stored = await db.query<{ id: number; name: string }>('SELECT id, name FROM ha_names ORDER BY id', { type: QueryTypes.SELECT });

    expect(created.map((c) => [c.get('id'), c.get('name')])).toEqual(stored.map((r) => [r.id, r.name]));
  });

  it('has workers on two nodes claim every job exactly once, the losers of a certification conflict retrying', async () => {
    const db = await on(1);
    await enqueue(db);
    const [one, two] = [db, await on(2)];

    const until = { stop: false };
    await Promise.all([work(one, 'w1', until), work(one, 'w2', until), work(two, 'w3', until), work(two, 'w4', until)]);
    const workers = await db.query<{ worker: string }>('SELECT DISTINCT worker FROM ha_applied', { type: QueryTypes.SELECT });

    expect(await outcome(db)).toEqual({ done: JOBS, applied: JOBS, twice: 0 });
    expect(workers.length).toBeGreaterThan(2); // workers on both nodes took part
  }, 90_000);

  it('finishes every job once when a node is SIGKILLed mid-run, and the node comes back with all of it', async () => {
    const db = await on(1);
    await enqueue(db);
    const three = await on(3);
    const until = { stop: false };
    // A short lease: what the killed node's workers held is taken back a second after they went silent.
    const survivors = Promise.all([work(db, 'k1', until, 1000), work(db, 'k2', until, 1000)]);
    const doomed = Promise.all([work(three, 'k3', until, 1000), work(three, 'k4', until, 1000)]);
    while ((await outcome(db)).done < JOBS / 4) await new Promise((r) => setTimeout(r, 20));

    await cluster.kill(3);
    await survivors;
    until.stop = true;
    await doomed;
    const afterKill = await outcome(db);
    await cluster.restart(3);
    const [back] = await (await on(3)).query<{ n: number }>('SELECT COUNT(*) AS n FROM ha_applied', { type: QueryTypes.SELECT });

    expect(afterKill).toEqual({ done: JOBS, applied: JOBS, twice: 0 });
    expect(Number(back!.n)).toBe(JOBS);
  }, 120_000);

  it('moves an instance whose node is SIGKILLed to the next node: the transaction in flight fails and writes nothing, the next statements succeed', async () => {
    // The instance's settings: DATABASE_URL on node 2, DATABASE_FALLBACK_HOSTS node 3, node 1.
    const fallbackNodes = [3, 1].map((n) => ({ host: '127.0.0.1', port: cluster.node(n).port }));
    const db = await openDatabase({ dialect: 'mysql', url: cluster.node(2).url('ha_test'), fallbackNodes });
    pools.push(db);
    const port = async () => Number((await db.query<{ port: number }>('SELECT @@port AS port', { type: QueryTypes.SELECT }))[0]!.port);
    await db.query('CREATE TABLE ha_failover (id INT AUTO_INCREMENT PRIMARY KEY, note VARCHAR(20) NOT NULL)');
    const portBefore = await port();
    const inFlight = await db.transaction();
    await db.query("INSERT INTO ha_failover (note) VALUES ('in flight')", { transaction: inFlight });

    await cluster.kill(2);
    const commit = await inFlight.commit().then(
      () => 'committed',
      () => 'failed',
    );
    const started = Date.now();
    await db.query("INSERT INTO ha_failover (note) VALUES ('after')");
    const seconds = (Date.now() - started) / 1000;
    const notes = await db.query<{ note: string }>('SELECT note FROM ha_failover', { type: QueryTypes.SELECT });

    expect(portBefore).toBe(cluster.node(2).port);
    expect(commit).toBe('failed');
    expect(notes.map((n) => n.note)).toEqual(['after']);
    expect(await port()).toBe(cluster.node(3).port);
    expect(seconds).toBeLessThan(10); // the survivors may wait out the dead node's eviction (evs.suspect_timeout, 3 s here)
  }, 60_000);
});

(missing ? describe.skip : describe)('starting a Galera cluster', () => {
  it('refuses, naming the port, when one of its ports is taken — before launching any node', async () => {
    const cluster = new GaleraCluster({ dir: `/tmp/wt-ha-busy-${process.pid}`, port: 23481 });
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(23781, '127.0.0.1', resolve));
    try {
      await expect(cluster.start()).rejects.toThrow('port 23781 on 127.0.0.1 is taken');
      expect(cluster.nodes.map((node) => node.pid())).toEqual([undefined, undefined, undefined]);
    } finally {
      squatter.close();
      rmSync(cluster.options.dir, { recursive: true, force: true });
    }
  });
});
