/**
 * A MariaDB Galera cluster (and a primary + asynchronous replica pair) on this one machine, for
 * the HA test, the reliability run and anyone who wants to try the product on one
 * (`npm run galera -- start|status|kill N|restart N|stop`, README.md#deployment).
 *
 * Each node is a `mariadbd` of its own: a data dir and a socket under `dir`, a client port
 * (`port + i`), and the Galera group, IST and SST ports (`port + 100/200/300 + i`). Node 1
 * bootstraps the cluster (`--wsrep-new-cluster`); the others join it with an empty data dir and
 * receive a copy (rsync SST). A node killed with SIGKILL comes back the way `galera_recovery`
 * brings it: `--wsrep-recover` finds its last committed write set, and it asks the cluster only for
 * what it missed (IST from the donor's gcache — the donor keeps serving meanwhile).
 *
 * Pick `port` below 32768: the kernel hands out 32768-60999 (ip_local_port_range) as the local
 * ports of outgoing connections, and a test run opens thousands, so a node port in that range is
 * now and then taken by somebody's connection and the joiner's copy never starts.
 *
 * Sized for a shared 2-core machine: a 64 MB buffer pool, no performance schema, 2 applier threads.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const GALERA_PROVIDER = '/usr/lib/galera/libgalera_smm.so';
const MARIADBD = '/usr/sbin/mariadbd';
const INSTALL_DB = '/usr/bin/mariadb-install-db';
const CLIENT = '/usr/bin/mariadb';

/**
 * As root, the nodes run as `mysql` (owning their dirs): the rsync daemon a joiner starts for its
 * copy drops root for `nobody`, who could not write a root-owned data dir.
 */
const RUN_AS = process.getuid?.() === 0 ? ['--user=mysql'] : [];

/** Why a cluster cannot be started here (a missing package), or undefined when it can. */
export function galeraMissing(): string | undefined {
  for (const [file, pkg] of [
    [GALERA_PROVIDER, 'galera-4'],
    [MARIADBD, 'mariadb-server'],
    [INSTALL_DB, 'mariadb-server'],
    [CLIENT, 'mariadb-client'],
    ['/usr/bin/rsync', 'rsync'],
  ] as const)
    if (!existsSync(file)) return `${file} is missing (install ${pkg})`;
  return undefined;
}

function requireGalera(): void {
  const missing = galeraMissing();
  if (missing) throw new Error(missing);
}

/** One `mariadbd` with its own data dir, socket, port and config file. */
export class MariadbNode {
  constructor(
    readonly name: string,
    readonly dir: string,
    readonly port: number,
    private readonly config: string,
  ) {}

  get datadir() {
    return join(this.dir, this.name);
  }
  get socket() {
    return join(this.dir, `${this.name}.sock`);
  }
  get pidFile() {
    return join(this.dir, `${this.name}.pid`);
  }
  get cnf() {
    return join(this.dir, `${this.name}.cnf`);
  }
  get errorLog() {
    return join(this.dir, `${this.name}.err`);
  }

  /** `mysql://root@127.0.0.1:port/database` (root from 127.0.0.1, no password: a local test cluster). */
  url(database: string): string {
    return `mysql://root@127.0.0.1:${this.port}/${database}`;
  }

  writeConfig(): void {
    mkdirSync(this.datadir, { recursive: true });
    if (RUN_AS.length) execFileSync('chown', ['-R', 'mysql:mysql', this.dir]);
    writeFileSync(
      this.cnf,
      `[mariadbd]
datadir=${this.datadir}
socket=${this.socket}
pid-file=${this.pidFile}
log-error=${this.errorLog}
port=${this.port}
bind-address=127.0.0.1
skip-name-resolve
performance_schema=OFF
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=2
max_connections=200
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
${this.config}
`,
    );
  }

  /** mariadb-install-db into the data dir (the system tables; a Galera joiner needs none). */
  async install(): Promise<void> {
    await run(INSTALL_DB, [`--defaults-file=${this.cnf}`, ...RUN_AS, '--skip-test-db', '--auth-root-authentication-method=socket'], {
      timeout: 60_000,
    });
  }

  /** Starts `mariadbd` detached (it outlives this process; `stop` or `kill` end it). */
  launch(extra: string[] = []): void {
    const child = spawn(MARIADBD, [`--defaults-file=${this.cnf}`, ...RUN_AS, ...extra], { detached: true, stdio: 'ignore' });
    child.unref();
  }

  /**
   * The node's live process. A pid file outlives a killed node, and its number can come back as
   * another process — the machine's own MariaDB restarted after a crash, say — so a pid counts only
   * while that process runs with this node's defaults file: `kill` must never reach anything else.
   */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return args.includes(`--defaults-file=${this.cnf}`) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  /** A statement through the socket as root; tab-separated rows. */
  async sql(statement: string): Promise<string[][]> {
    const { stdout } = await run(CLIENT, [`--socket=${this.socket}`, '-uroot', '-N', '-B', '-e', statement], { timeout: 30_000 });
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
  }

  async status(name: string): Promise<string | undefined> {
    const rows = await this.sql(`SHOW GLOBAL STATUS LIKE '${name}'`).catch(() => []);
    return rows[0]?.[1];
  }

  async variable(name: string): Promise<string | undefined> {
    const rows = await this.sql(`SHOW GLOBAL VARIABLES LIKE '${name}'`).catch(() => []);
    return rows[0]?.[1];
  }

  /** SIGKILL: no shutdown, no flush — a crashed database node. */
  async kill(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGKILL');
    await until(() => !alive(pid), 30_000, `${this.name} to die`);
    rmSync(this.pidFile, { force: true });
  }

  /** SIGTERM and wait for a clean shutdown. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    await until(() => !alive(pid), 60_000, `${this.name} to shut down`).catch(() => this.kill());
  }

  /** Waits until the server answers on its socket. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await until(async () => (await this.sql('SELECT 1').catch(() => [])).length === 1, timeoutMs, `${this.name} to answer (see ${this.errorLog})`);
  }
}

export interface GaleraOptions {
  /** Parent of the nodes' data dirs, sockets, logs (wiped by `start`). */
  dir: string;
  /** Node i (1-based) serves clients on `port + i - 1`. */
  port: number;
  nodes?: number;
}

export class GaleraCluster {
  readonly nodes: MariadbNode[];

  constructor(readonly options: GaleraOptions) {
    const n = options.nodes ?? 3;
    const group = (i: number) => options.port + 100 + i;
    const address = `gcomm://${Array.from({ length: n }, (_, i) => `127.0.0.1:${group(i)}`).join(',')}`;
    this.nodes = Array.from(
      { length: n },
      (_, i) =>
        new MariadbNode(
          `node${i + 1}`,
          options.dir,
          options.port + i,
          `binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=${GALERA_PROVIDER}
wsrep_cluster_name=wecom_crm_local
wsrep_cluster_address=${address}
wsrep_node_name=node${i + 1}
wsrep_node_address=127.0.0.1:${group(i)}
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:${group(i)};ist.recv_addr=127.0.0.1:${options.port + 200 + i};gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;pc.wait_prim_timeout=PT30S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${options.port + 300 + i}
wsrep_slave_threads=2`,
        ),
    );
  }

  /** Every port the cluster listens on: clients, Galera group, IST, SST. */
  ports(): number[] {
    return this.nodes.flatMap((_, i) => [0, 100, 200, 300].map((offset) => this.options.port + offset + i));
  }

  node(i: number): MariadbNode {
    const node = this.nodes[i - 1];
    if (!node) throw new Error(`no node ${i} (the cluster has ${this.nodes.length})`);
    return node;
  }

  /** A fresh cluster: node 1 bootstraps, the others join and receive a copy; resolves when all are synced. */
  async start(): Promise<void> {
    requireGalera();
    if (this.nodes.some((n) => n.pid() !== undefined)) throw new Error(`a cluster is already running in ${this.options.dir} (stop it first)`);
    rmSync(this.options.dir, { recursive: true, force: true });
    for (const node of this.nodes) node.writeConfig();
    await assertPortsFree(this.ports());
    const [first, ...others] = this.nodes as [MariadbNode, ...MariadbNode[]];
    await first.install();
    first.launch(['--wsrep-new-cluster']);
    await first.ready();
    await first.sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
    for (const node of others) {
      node.launch();
      await this.synced(node, 120_000);
    }
    await this.sized(this.nodes.length);
  }

  /** Brings a stopped or killed node back: its last committed position, then only what it missed (IST). */
  async restart(i: number): Promise<void> {
    const node = this.node(i);
    if (node.pid() !== undefined) return;
    const position = await recoveredPosition(node);
    node.launch(position ? [`--wsrep-start-position=${position}`] : []);
    await this.synced(node, 120_000);
  }

  async kill(i: number): Promise<void> {
    await this.node(i).kill();
  }

  /** `DATABASE_FALLBACK_HOSTS` of an instance on node i: the other nodes, the next one first (server/db/failover.ts). */
  fallbackHosts(i: number): string {
    const n = this.nodes.length;
    return Array.from({ length: n - 1 }, (_, k) => `127.0.0.1:${this.node(((i + k) % n) + 1).port}`).join(',');
  }

  /** Stops every node (the last one standing last, so its state is the newest on disk). */
  async stop(): Promise<void> {
    for (const node of [...this.nodes].reverse()) await node.stop();
  }

  /** Per node: running, its Galera state, the cluster size it sees. */
  async describe(): Promise<{ name: string; port: number; pid?: number; state?: string; clusterSize?: string }[]> {
    return Promise.all(
      this.nodes.map(async (node) => {
        const pid = node.pid();
        if (pid === undefined) return { name: node.name, port: node.port };
        return {
          name: node.name,
          port: node.port,
          pid,
          state: await node.status('wsrep_local_state_comment'),
          clusterSize: await node.status('wsrep_cluster_size'),
        };
      }),
    );
  }

  /** Waits until the node is Synced with the primary component. */
  async synced(node: MariadbNode, timeoutMs: number): Promise<void> {
    await until(
      async () => (await node.status('wsrep_local_state_comment')) === 'Synced' && (await node.status('wsrep_ready')) === 'ON',
      timeoutMs,
      () => `${node.name} to be Synced; the end of ${node.errorLog}:\n${tail(node.errorLog, 30)}`,
    );
  }

  /** Waits until a running node sees `size` members. */
  async sized(size: number, timeoutMs = 60_000): Promise<void> {
    await until(
      async () => {
        for (const node of this.nodes) if (node.pid() !== undefined && (await node.status('wsrep_cluster_size')) === String(size)) return true;
        return false;
      },
      timeoutMs,
      `a cluster of ${size}`,
    );
  }
}

/** `uuid:seqno` of the node's last committed write set (`mariadbd --wsrep-recover`, as galera_recovery does). */
async function recoveredPosition(node: MariadbNode): Promise<string | undefined> {
  const log = join(node.dir, `${node.name}.recover.log`);
  rmSync(log, { force: true });
  await run(MARIADBD, [`--defaults-file=${node.cnf}`, ...RUN_AS, '--wsrep-recover', `--log-error=${log}`], { timeout: 120_000 }).catch(() => undefined);
  const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
  return /WSREP: Recovered position: ([0-9a-f-]{36}:-?\d+)/.exec(text)?.[1];
}

/**
 * A primary with binary logs and one replica following it (GTID, CHANGE MASTER), for the
 * read-replica topology (`npm run galera -- replica start|stop|status`).
 */
export class ReplicaPair {
  readonly primary: MariadbNode;
  readonly replica: MariadbNode;

  constructor(readonly options: { dir: string; port: number }) {
    this.primary = new MariadbNode('primary', options.dir, options.port, 'server_id=1\nlog_bin=primary-bin\nbinlog_format=ROW');
    this.replica = new MariadbNode('replica', options.dir, options.port + 1, 'server_id=2\nread_only=ON\nrelay_log=replica-relay');
  }

  async start(): Promise<void> {
    requireGalera();
    if (this.primary.pid() !== undefined || this.replica.pid() !== undefined) throw new Error(`a pair is already running in ${this.options.dir}`);
    rmSync(this.options.dir, { recursive: true, force: true });
    await assertPortsFree([this.primary.port, this.replica.port]);
    for (const node of [this.primary, this.replica]) {
      node.writeConfig();
      await node.install();
      node.launch();
    }
    for (const node of [this.primary, this.replica]) {
      await node.ready();
      await node.sql("CREATE USER IF NOT EXISTS 'root'@'127.0.0.1'; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION");
    }
    await this.primary.sql("CREATE USER IF NOT EXISTS 'repl'@'127.0.0.1' IDENTIFIED BY 'repl'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'127.0.0.1'");
    const [[gtid] = []] = await this.primary.sql('SELECT @@gtid_binlog_pos');
    await this.replica.sql(
      `SET GLOBAL gtid_slave_pos = '${gtid ?? ''}'; CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${this.primary.port}, MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos; START SLAVE`,
    );
    await this.caughtUp();
  }

  /** Stops the replica (its relay position survives) — reads meanwhile must still work. */
  async stopReplica(): Promise<void> {
    await this.replica.stop();
  }

  async startReplica(): Promise<void> {
    if (this.replica.pid() === undefined) this.replica.launch();
    await this.replica.ready();
    await this.caughtUp();
  }

  /** Waits until the replica runs and has applied everything the primary logged. */
  async caughtUp(timeoutMs = 60_000): Promise<void> {
    await until(
      async () => {
        const [[primaryPos] = []] = await this.primary.sql('SELECT @@gtid_binlog_pos');
        const [[replicaPos] = []] = await this.replica.sql('SELECT @@gtid_slave_pos').catch(() => [[]]);
        return (await this.replica.status('Slave_running')) === 'ON' && (primaryPos ?? '') === (replicaPos ?? '');
      },
      timeoutMs,
      'the replica to catch up',
    );
  }

  async stop(): Promise<void> {
    await this.replica.stop();
    await this.primary.stop();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The last `lines` lines of a log, for an error that says why a node did not come up. */
function tail(file: string, lines: number): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
}

/** Refuses to start on a port something else holds, naming it, rather than waiting for a copy that cannot start. */
async function assertPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (!free) throw new Error(`port ${port} on 127.0.0.1 is taken: the cluster needs ${ports.join(', ')}`);
  }
}
