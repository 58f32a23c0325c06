/**
 * `npm run bench -- --reliability --galera`: the product on a 3-node MariaDB Galera cluster
 * (scripts/galera) losing a node under load, and on a primary with a read replica losing the
 * replica (README.md#deployment).
 *
 * Galera: two server instances, A on node 1 and B on node 2, behind a round-robin "load balancer"
 * (this script: a request that fails is counted; a callback WeCom gets no `success` for is
 * delivered again, to the other instance). Callback bursts (each event 1–3×), sidebar cards and an
 * external-contact sync run together, and an Excel import of 5,000 customers on B starts after a
 * quarter of the deliveries; node 2 is SIGKILLed once the import has 200 rows in and
 * brought back at once (recovery + IST). Counted afterwards: events lost or applied twice,
 * duplicate customers, jobs or events left unfinished, requests failed during the outage and for
 * how long, and how long until instance B answered again.
 *
 * Replica: one instance with `DATABASE_READ_URLS`; dashboard and list reads while the replica is
 * stopped and started again: requests failed.
 */
import { rmSync } from 'node:fs';
import xlsx from 'node-xlsx';
import type { ImportJobView } from '@shared/imports';
import { GaleraCluster, ReplicaPair } from '../galera/cluster';
import { SYSTEM_ACTOR } from '../../server/modules/audit/service';
import { matchingHooks } from '../../server/modules/matching/hooks';
import { startOrgSync } from '../../server/modules/org/sync';
import { settingDefaults } from '../../server/modules/settings/service';
import { startExternalContactSync } from '../../server/modules/wecom-mirror/sync';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import {
  CALLBACK,
  count,
  figure,
  fmt,
  hostSimulator,
  logger,
  login,
  scratchDatabase,
  sealedContactChange,
  sidebarRequests,
  startServer,
  waitForInbox,
} from './harness';
import type { HostedSimulator, Row, ServerProcess } from './harness';
import { relationKeys } from './reliability';

const GALERA = { dir: '/tmp/wt-ha-bench-galera', port: 23861 };
const REPLICA = { dir: '/tmp/wt-ha-bench-replica', port: 23871 };

export async function runGaleraReliability(quick: boolean, progress: (what: string) => void): Promise<Row[]> {
  const size = quick
    ? { employees: 200, departments: 20, contacts: 1_500, events: 1_000 }
    : { employees: 300, departments: 30, contacts: 3_000, events: 3_000 };
  const wecom = await hostSimulator({ employees: size.employees, departments: size.departments, externalContacts: size.contacts, followsPerContact: 2 });
  try {
    const rows: Row[] = [];
    const cluster = new GaleraCluster(GALERA);
    progress('starting a 3-node Galera cluster');
    try {
      await cluster.start();
      rows.push(...(await nodeLossUnderLoad(cluster, wecom, size.events, progress)));
    } finally {
      await cluster.stop();
      rmSync(GALERA.dir, { recursive: true, force: true });
    }
    const pair = new ReplicaPair(REPLICA);
    progress('starting a primary + replica pair');
    try {
      await pair.start();
      rows.push(await replicaLossUnderLoad(pair, wecom, quick ? 10 : 20, progress));
    } finally {
      await pair.stop();
      rmSync(REPLICA.dir, { recursive: true, force: true });
    }
    return rows;
  } finally {
    await wecom.close();
  }
}

/** Requests sent and those that failed, with when (ms since the epoch). */
class Tally {
  ok = 0;
  failedAt: number[] = [];
  note(ok: boolean) {
    if (ok) this.ok++;
    else this.failedAt.push(Date.now());
  }
  get failed() {
    return this.failedAt.length;
  }
  /** From the first failure to the last, in seconds. */
  get failingSeconds() {
    return this.failedAt.length ? (Math.max(...this.failedAt) - Math.min(...this.failedAt)) / 1000 : 0;
  }
}

const answered = (res: Promise<Response>, check: (res: Response) => Promise<boolean> = async (r) => r.ok) =>
  res.then(
    (r) => check(r),
    () => false,
  );

async function nodeLossUnderLoad(cluster: GaleraCluster, wecom: HostedSimulator, events: number, progress: (what: string) => void): Promise<Row[]> {
  progress('migrating the cluster (DDL under TOI, the migration lease)');
  const migrateStarted = performance.now();
  const db = await scratchDatabase('galera', cluster.node(1).url('wcrm_galera'), wecom.base);
  const migrateSeconds = (performance.now() - migrateStarted) / 1000;
  try {
    const org = await (await startOrgSync({ sequelize: db.sequelize, wecom: db.wecom, logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR)).done;
    if (org.status !== 'succeeded') throw new Error(`org sync failed: ${org.error}`);
    progress('external-contact sync');
    const hooks = matchingHooks(db.sequelize, settingDefaults(db.config));
    const synced = await (await startExternalContactSync({ sequelize: db.sequelize, wecom: db.wecom, logger, hooks }, SYSTEM_ACTOR)).done;
    if (synced.status !== 'succeeded') throw new Error(`external-contact sync failed: ${synced.error}`);
    // Each instance names its node first and the other two after it (DATABASE_FALLBACK_HOSTS).
    const env = (n: number) => ({
      EVENT_RECLAIM_SECONDS: '2',
      IMPORT_BATCH_SIZE: '100',
      IMPORT_STALE_SECONDS: '10',
      DATABASE_FALLBACK_HOSTS: cluster.fallbackHosts(n),
    });
    const nodeUrl = (n: number) => cluster.node(n).url(new URL(db.url).pathname.slice(1));
    const servers: ServerProcess[] = [await startServer(nodeUrl(1), wecom.base, env(1)), await startServer(nodeUrl(2), wecom.base, env(2))];
    try {
      // The sidebar's contacts: the first half of the corp's contacts, followed already (the sync brings them in).
      const all = [...wecom.simulator.state.externalContacts.values()];
      const fresh = all.slice(Math.floor(all.length / 2)).slice(0, events);
      const crypto = new CallbackCrypto(CALLBACK);
      const sealed = fresh.map(({ contact, follows }, i) =>
        sealedContactChange(crypto, i, 'add_external_contact', { userid: follows[0]!.userid, externalUserid: contact.external_userid }),
      );
      const deliveries = sealed.flatMap((_, i) => Array.from({ length: 1 + ((i * 7) % 3) }, () => i));
      shuffle(deliveries);

      progress('sidebar logins');
      const sidebar = await sidebarRequests(servers[0]!, wecom.base, db.sequelize, 50);
      const importer = await importThrough(servers[1]!, wecom.base);

      progress(
        `${fmt(deliveries.length)} callback deliveries + sidebar load on 2 instances + an import of ${fmt(IMPORT_ROWS)} customers on B; node 2 SIGKILLed mid-import`,
      );
      const callbacks = new Tally();
      const cards = new Tally();
      /** Failures of instance A (on the surviving node 1). */
      const onA = new Tally();
      const acknowledged = new Set<number>();
      let delivered = 0;
      let next = 0;
      let rr = 0;
      const deliver = async (i: number) => {
        for (let attempt = 0; ; attempt++) {
          const { query, body } = sealed[i]!;
          const which = (rr++ + attempt) % 2;
          const server = servers[which]!;
          const ok = await answered(
            fetch(`${server.base}/api/wecom/callback?${new URLSearchParams(query)}`, { method: 'POST', body, headers: { 'content-type': 'text/xml' } }),
            async (res) => res.status === 200 && (await res.text()) === 'success',
          );
          callbacks.note(ok);
          if (which === 0) onA.note(ok);
          if (ok) return void acknowledged.add(i);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const senders = Array.from({ length: 16 }, async () => {
        while (next < deliveries.length) {
          await deliver(deliveries[next++]!);
          delivered++;
        }
      });
      let loading = true;
      const readers = Array.from({ length: 8 }, async () => {
        while (loading) {
          const { path, headers } = sidebar.next();
          // The session is the database's: valid on either instance.
          const which = rr++ % 2;
          const ok = await answered(fetch(`${servers[which]!.base}${path}`, { headers }));
          cards.note(ok);
          if (which === 0) onA.note(ok);
        }
      });
      // A second sync while the node dies: it must finish (or fail cleanly and be run again), never stick.
      let killedAt = 0;
      let recoveredAt = 0;
      let rejoinedSeconds = 0;
      const fault = (async () => {
        while (delivered < deliveries.length / 4) await new Promise((r) => setTimeout(r, 20));
        const imported = await importer.start();
        const importedAtKill = await importer.midway(200);
        const resync = startExternalContactSync({ sequelize: db.sequelize, wecom: db.wecom, logger, hooks }, SYSTEM_ACTOR).then((s) => s.done);
        killedAt = Date.now();
        await cluster.kill(2);
        // Instance B answering again: on the next node of its DATABASE_FALLBACK_HOSTS, while node 2 is still down.
        const bAnswers = (async () => {
          while (!(await answered(fetch(`${servers[1]!.base}/readyz`)))) await new Promise((r) => setTimeout(r, 50));
          recoveredAt = Date.now();
        })();
        await new Promise((r) => setTimeout(r, 3000)); // down for a while, under load
        const rejoinStarted = Date.now();
        await cluster.restart(2);
        rejoinedSeconds = (Date.now() - rejoinStarted) / 1000;
        await bAnswers;
        return { resync: await resync, imported, importedAtKill };
      })();
      await Promise.all(senders);
      const { resync, imported, importedAtKill } = await fault;
      loading = false;
      await Promise.all(readers);
      await waitForInbox(db.sequelize, 600_000);
      progress('the import: finished, or resumed');
      const importOutcome = await importer.finish(imported);
      const importedRows = await count(db.sequelize, `SELECT COUNT(*) AS n FROM customers WHERE name LIKE '${IMPORT_NAME}%'`);
      const importedDistinct = await count(db.sequelize, `SELECT COUNT(DISTINCT phone) AS n FROM customers WHERE name LIKE '${IMPORT_NAME}%'`);

      const relations = new Set(await relationKeys(db.sequelize, ''));
      // The syncs bring these relations in too: an event counts as lost when its relation is missing or its stored row never got done.
      const missing = [...acknowledged].filter((i) => !relations.has(`${fresh[i]!.follows[0]!.userid}>${fresh[i]!.contact.external_userid}`)).length;
      const finished = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status IN ('done', 'ignored')");
      const lost = missing + Math.max(0, acknowledged.size - finished);
      const extraLinks = await count(
        db.sequelize,
        "SELECT COUNT(*) - COUNT(DISTINCT external_userid) AS n FROM customer_wecom_link_events WHERE event = 'linked'",
      );
      const duplicateCustomers = await count(
        db.sequelize,
        'SELECT COUNT(*) AS n FROM (SELECT external_userid FROM customer_wecom_links GROUP BY external_userid HAVING COUNT(DISTINCT customer_id) > 1) d',
      );
      const stuckEvents = await count(db.sequelize, "SELECT COUNT(*) AS n FROM wecom_events WHERE status NOT IN ('done', 'ignored')");
      const stuckJobs = await count(db.sequelize, "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')");
      const nodes = await Promise.all(cluster.nodes.map((n) => n.sql(`SELECT COUNT(*) FROM ${new URL(db.url).pathname.slice(1)}.wecom_follow_relations`)));
      const consistent = new Set(nodes.map((r) => r[0]?.[0])).size === 1;
      const failed = new Tally();
      failed.failedAt = [...callbacks.failedAt, ...cards.failedAt];
      const label = `Galera 3 nodes, 2 instances, node 2 SIGKILLed and restarted`;
      return [
        figure(
          `${label}: ${fmt(fresh.length)} callback events delivered 1–3× (${fmt(deliveries.length)} deliveries): lost or applied twice`,
          lost + extraLinks,
          'events',
          {
            goal: { atMost: 0 },
            detail: `lost ${lost}, applied twice ${extraLinks}; ${fmt(acknowledged.size)} acknowledged; migrations on the cluster ${migrateSeconds.toFixed(1)} s`,
          },
        ),
        figure(`${label}: duplicate customers`, duplicateCustomers, 'customers', { goal: { atMost: 0 } }),
        figure(
          `${label}: an import of ${fmt(IMPORT_ROWS)} customers on instance B across the kill: rows missing or twice`,
          Math.abs(IMPORT_ROWS - importedRows) + (importedRows - importedDistinct),
          'rows',
          {
            goal: { atMost: 0 },
            detail: `${fmt(importedAtKill)} rows processed at the kill; ${importOutcome}; ${fmt(importedRows)} customers stored, ${fmt(importedDistinct)} distinct phones`,
          },
        ),
        figure(`${label}: jobs and events stuck`, stuckJobs + stuckEvents, 'rows', {
          goal: { atMost: 0 },
          detail: `${stuckJobs} jobs, ${stuckEvents} events; the sync during the kill: ${resync.status}; nodes ${consistent ? 'agree' : 'DISAGREE'} on the relations`,
        }),
        figure(`${label}: requests failed during the outage`, failed.failed, 'requests', {
          detail: `${callbacks.failed} callback deliveries refused (WeCom delivers again) and ${cards.failed} sidebar cards failed, over ${failed.failingSeconds.toFixed(1)} s, of ${fmt(callbacks.ok + cards.ok + failed.failed)}; instance A (node 1) failed ${onA.failed}`,
        }),
        figure(`${label}: time to recover (kill → instance B ready, on another node)`, (recoveredAt - killedAt) / 1000, 's', {
          detail: `node 2 down 3 s on purpose, then its rejoin (--wsrep-recover + IST) took ${rejoinedSeconds.toFixed(1)} s`,
        }),
      ];
    } finally {
      for (const server of servers) await server.stop();
    }
  } finally {
    await db.drop();
  }
}

async function replicaLossUnderLoad(pair: ReplicaPair, wecom: HostedSimulator, seconds: number, progress: (what: string) => void): Promise<Row> {
  const db = await scratchDatabase('replica', pair.primary.url('wcrm_replica'), wecom.base);
  try {
    const org = await (await startOrgSync({ sequelize: db.sequelize, wecom: db.wecom, logger, bootstrap: { adminUserIds: ['admin'] } }, SYSTEM_ACTOR)).done;
    if (org.status !== 'succeeded') throw new Error(`org sync failed: ${org.error}`);
    await pair.caughtUp();
    const server = await startServer(db.url, wecom.base, { DATABASE_READ_URLS: pair.replica.url('wcrm_replica') });
    try {
      const cookie = (await login(server, wecom.base, ['admin'])).get('admin')!;
      progress(`dashboard and list reads for ${seconds} s; the replica stopped and started again`);
      const reads = new Tally();
      let replicaServed = 0;
      let loading = true;
      const paths = ['/api/dashboard/customers', '/api/customers'];
      const readers = Array.from({ length: 4 }, async (_, n) => {
        for (let i = n; loading; i++)
          reads.note(
            await answered(fetch(`${server.base}${paths[i % paths.length]}`, { headers: { cookie } }), async (res) => {
              if (res.headers.get('x-replica-reads') === 'allowed') replicaServed++;
              await res.arrayBuffer();
              return res.ok;
            }),
          );
      });
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
      await pair.stopReplica();
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
      await pair.startReplica();
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
      loading = false;
      await Promise.all(readers);
      return figure(
        `primary + replica, 1 instance with DATABASE_READ_URLS, replica stopped and restarted under dashboard/list reads: requests failed`,
        reads.failed,
        'requests',
        {
          goal: { atMost: 0 },
          detail: `of ${fmt(reads.ok + reads.failed)} (${fmt(replicaServed)} routed to the replica side; its reads fall back to the primary while it is down)`,
        },
      );
    } finally {
      await server.stop();
    }
  } finally {
    await db.drop();
  }
}

const IMPORT_ROWS = 5_000;
const IMPORT_NAME = '可靠性导入客户';

/**
 * An Excel import of IMPORT_ROWS customers through the imports API of `server`, as the admin: `start`
 * uploads it; `finish` waits until it ends and, if the node loss cut it off, resumes it (as a
 * person would, with 继续导入) until it succeeds — what happened, in words.
 */
async function importThrough(server: ServerProcess, simulatorBase: string) {
  const cookie = (await login(server, simulatorBase, ['admin'])).get('admin')!;
  const call = (path: string, init: RequestInit = {}) =>
    fetch(`${server.base}${path}`, { ...init, headers: { cookie, origin: server.base } }).then(async (res) => {
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as ImportJobView;
    });
  /** The job, asked until an answer comes (the instance may be between nodes). */
  const job = async (id: number): Promise<ImportJobView> => {
    for (;;) {
      const view = await call(`/api/imports/${id}`).catch(() => undefined);
      if (view) return view;
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const ended = async (id: number) => {
    for (;;) {
      const view = await job(id);
      if (view.status !== 'running' && view.status !== 'queued') return view;
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  let id = 0;
  return {
    async start(): Promise<ImportJobView> {
      const rows = Array.from({ length: IMPORT_ROWS }, (_, i) => [`${IMPORT_NAME}${i}`, `139${String(i).padStart(8, '0')}`]);
      const form = new FormData();
      form.append('file', new Blob([new Uint8Array(xlsx.build([{ name: 'Sheet1', data: [['客户名称', '手机号'], ...rows], options: {} }]))]), 'ha.xlsx');
      const started = await call('/api/imports?kind=customers&dryRun=false', { method: 'POST', body: form });
      id = started.id;
      return started;
    },
    /** Rows processed once at least `rows` are in (or the job ended first). */
    async midway(rows: number): Promise<number> {
      for (;;) {
        const view = await job(id);
        if (view.processed >= rows || (view.status !== 'running' && view.status !== 'queued')) return view.processed;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async finish(started: ImportJobView): Promise<string> {
      let view = await ended(started.id);
      if (view.status === 'succeeded') return 'the job succeeded without a resume';
      const cutAt = view.processed;
      const why = view.error ?? view.status;
      if (!view.resumable) return `the job ended ${view.status} at ${fmt(cutAt)} rows, NOT resumable (${why})`;
      await call(`/api/imports/${started.id}/resume`, { method: 'POST' });
      view = await ended(started.id);
      return `the job was cut off at ${fmt(cutAt)} rows (${why}), resumable, ${view.status === 'succeeded' ? 'and resumed: succeeded' : `but the resume ended ${view.status}: ${view.error}`}`;
    },
  };
}

/** A deterministic shuffle (runs are comparable). */
function shuffle<T>(items: T[]): void {
  let seed = 20261207;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
