/**
 * `npm run galera -- <command>`: a local 3-node MariaDB Galera cluster (clients on ports
 * 23061-23063), or a primary + replica pair (23071, 23072), for trying the HA topologies of
 * README.md#deployment on one machine.
 *
 *   start | stop | status          the Galera cluster (start wipes GALERA_DIR and bootstraps)
 *   kill N | restart N             SIGKILL node N / bring it back (IST)
 *   replica start | stop | status  the primary + replica pair
 *
 * GALERA_DIR (default /tmp/wt-ha-galera), GALERA_PORT (23061), REPLICA_DIR (/tmp/wt-ha-replica),
 * REPLICA_PORT (23071).
 */
import { GaleraCluster, ReplicaPair } from './galera/cluster';

const cluster = new GaleraCluster({ dir: process.env.GALERA_DIR ?? '/tmp/wt-ha-galera', port: Number(process.env.GALERA_PORT ?? 23061) });
const pair = new ReplicaPair({ dir: process.env.REPLICA_DIR ?? '/tmp/wt-ha-replica', port: Number(process.env.REPLICA_PORT ?? 23071) });
const say = (text: string) => process.stdout.write(`${text}\n`);

async function main(args: string[]): Promise<void> {
  const [command, arg] = args;
  if (command === 'replica') {
    if (arg === 'start') {
      await pair.start();
      say(`primary ${pair.primary.url('wecom_crm')}\nreplica ${pair.replica.url('wecom_crm')}`);
      say(`DATABASE_URL=${pair.primary.url('wecom_crm')} DATABASE_READ_URLS=${pair.replica.url('wecom_crm')}`);
    } else if (arg === 'stop') await pair.stop();
    else if (arg === 'status')
      for (const node of [pair.primary, pair.replica]) say(`${node.name} :${node.port} ${node.pid() === undefined ? 'stopped' : `pid ${node.pid()}`}`);
    else throw new Error('usage: npm run galera -- replica start|stop|status');
    return;
  }
  switch (command) {
    case 'start': {
      const started = performance.now();
      await cluster.start();
      say(`3 nodes synced in ${((performance.now() - started) / 1000).toFixed(1)} s:`);
      for (const [i, node] of cluster.nodes.entries()) say(`  DATABASE_URL=${node.url('wecom_crm')} DATABASE_FALLBACK_HOSTS=${cluster.fallbackHosts(i + 1)}`);
      return;
    }
    case 'stop':
      await cluster.stop();
      return;
    case 'status':
      for (const n of await cluster.describe())
        say(`${n.name} :${n.port} ${n.pid === undefined ? 'stopped' : `pid ${n.pid} ${n.state} cluster_size=${n.clusterSize}`}`);
      return;
    case 'kill':
      await cluster.kill(Number(arg));
      return;
    case 'restart':
      await cluster.restart(Number(arg));
      return;
    default:
      throw new Error('usage: npm run galera -- start|stop|status|kill N|restart N|replica start|stop|status');
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
