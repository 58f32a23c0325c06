/**
 * `npm run bench -- --reliability --galera`: the product on a 3-node MariaDB Galera cluster
 * (scripts/galera) losing a node under load, and on a primary with a read replica losing the
 * replica (README.md#deployment).
 *
 * Galera: two server instances, A on node 1 and B on node 2, behind a round-robin "load balancer"
 * (this script: a request that fails is counted; a callback WeCom gets no `success` for is
 * delivered again, to the other instance). Callback bursts (each event 1–3×), sidebar cards and an
 * external-contact sync run together; node 2 is SIGKILLed after a third of the deliveries and
 * brought back at once (recovery + IST). Counted afterwards: events lost or applied twice,
 * duplicate customers, jobs or events left unfinished, requests failed during the outage and for
 * how long, and how long until instance B answered again.
 *
 * Replica: one instance with `DATABASE_READ_URLS`; dashboard and list reads while the replica is
 * stopped and started again: requests failed.
 */
import { rmSync } from 'node:fs';
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

const GALERA = { dir: '/tmp/wt-ha-bench-galera', port: 33861 };
const REPLICA = { dir: '/tmp/wt-ha-bench-replica', port: 33871 };

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
    const env = { EVENT_RECLAIM_SECONDS: '2' };
    const nodeUrl = (n: number) => cluster.node(n).url(new URL(db.url).pathname.slice(1));
    const servers: ServerProcess[] = [await startServer(nodeUrl(1), wecom.base, env), await startServer(nodeUrl(2), wecom.base, env)];
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

      progress(`${fmt(deliveries.length)} callback deliveries + sidebar load on 2 instances; node 2 SIGKILLed after a third`);
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
        while (delivered < deliveries.length / 3) await new Promise((r) => setTimeout(r, 20));
        const resync = startExternalContactSync({ sequelize: db.sequelize, wecom: db.wecom, logger, hooks }, SYSTEM_ACTOR).then((s) => s.done);
        killedAt = Date.now();
        await cluster.kill(2);
        await new Promise((r) => setTimeout(r, 3000)); // down for a while, under load
        const rejoinStarted = Date.now();
        await cluster.restart(2);
        rejoinedSeconds = (Date.now() - rejoinStarted) / 1000;
        while (!(await answered(fetch(`${servers[1]!.base}/readyz`)))) await new Promise((r) => setTimeout(r, 50));
        recoveredAt = Date.now();
        return resync;
      })();
      await Promise.all(senders);
      const resync = await fault;
      loading = false;
      await Promise.all(readers);
      await waitForInbox(db.sequelize, 600_000);

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
        figure(`${label}: jobs and events stuck`, stuckJobs + stuckEvents, 'rows', {
          goal: { atMost: 0 },
          detail: `${stuckJobs} jobs, ${stuckEvents} events; the sync during the kill: ${resync.status}; nodes ${consistent ? 'agree' : 'DISAGREE'} on the relations`,
        }),
        figure(`${label}: requests failed during the outage`, failed.failed, 'requests', {
          detail: `${callbacks.failed} callback deliveries refused (WeCom delivers again) and ${cards.failed} sidebar cards failed, over ${failed.failingSeconds.toFixed(1)} s, of ${fmt(callbacks.ok + cards.ok + failed.failed)}; instance A (node 1) failed ${onA.failed}`,
        }),
        figure(`${label}: time to recover (kill → instance B ready)`, (recoveredAt - killedAt) / 1000, 's', {
          detail: `node down 3 s on purpose; rejoin (--wsrep-recover + IST) ${rejoinedSeconds.toFixed(1)} s`,
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

/** A deterministic shuffle (runs are comparable). */
function shuffle<T>(items: T[]): void {
  let seed = 20261207;
  for (let i = items.length - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const j = seed % (i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
