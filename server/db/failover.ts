/**
 * Failover between the nodes of a Galera cluster inside one instance (`DATABASE_FALLBACK_HOSTS`,
 * README.md#deployment-topologies). Every Galera node takes writes, so an instance may use any of
 * them; it uses one at a time — `DATABASE_URL`'s host first. When a new connection to that node
 * cannot be made (refused, timed out) or the node is not serving (`wsrep_ready` OFF: joining,
 * or cut off from the majority), the next node in the list is tried, and the first that serves
 * becomes the node in use; connections still open to the node left behind are retired when the
 * pool next hands them out. Nothing is replayed: a statement or transaction in flight on the node
 * that died fails with its connection (the request answers an error, a job is retried or an
 * import is left resumable), so nothing is applied twice.
 */
import type { Sequelize } from 'sequelize';
import type { DatabaseNode } from '../../config';
import type { Logger } from '../logger';

interface MysqlConnection {
  query(sql: string, callback: (err: Error | null, rows: { Value?: string }[]) => void): void;
  destroy(): void;
}

interface ConnectionManager {
  _connect(config: { host?: string; port?: number }): Promise<MysqlConnection>;
  _validate(connection: MysqlConnection): boolean;
}

/** How long a connection attempt to a node waits before the next node is tried. */
export const NODE_CONNECT_TIMEOUT_MS = 3_000;

/**
 * Wires failover into a Sequelize opened on `nodes[0]`; returns the pool's `validate` (pass it as
 * Sequelize's `pool.validate`), which retires the connections to a node no longer in use.
 */
export function failOverBetweenNodes(nodes: readonly DatabaseNode[], logger?: Logger) {
  let current = 0;
  const nodeOf = new WeakMap<MysqlConnection, number>();
  let manager: ConnectionManager | undefined;
  return {
    validate: (connection: MysqlConnection) => (manager?._validate(connection) ?? true) && nodeOf.get(connection) === current,
    install(sequelize: Sequelize): void {
      manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
      const connect = manager._connect.bind(manager);
      manager._connect = async (config) => {
        let failure: unknown;
        for (let k = 0; k < nodes.length; k++) {
          const i = (current + k) % nodes.length;
          try {
            const connection = await connect({ ...config, ...nodes[i] });
            if (!(await serving(connection))) {
              connection.destroy();
              throw new Error(`database node ${nodes[i]!.host}:${nodes[i]!.port} is not serving (wsrep_ready OFF)`);
            }
            if (i !== current) {
              logger?.warn({ from: nodes[current], to: nodes[i], err: failure }, 'database node lost: connecting to the next');
              current = i;
            }
            nodeOf.set(connection, i);
            return connection;
          } catch (err) {
            failure = err;
          }
        }
        throw failure;
      };
    },
  };
}

/** A Galera node serves clients when `wsrep_ready` is ON; a server without Galera has no such status and always serves. */
function serving(connection: MysqlConnection): Promise<boolean> {
  return new Promise((resolve, reject) =>
    connection.query("SHOW STATUS LIKE 'wsrep_ready'", (err, rows) => (err ? reject(err) : resolve(rows[0]?.Value === undefined || rows[0].Value === 'ON'))),
  );
}

/** Whether an error says the database connection itself went away (the node died mid-statement), not that the statement was refused. */
export function isConnectionLost(err: unknown): boolean {
  const original = (err as { original?: { code?: string; errno?: number; fatal?: boolean } } | undefined)?.original;
  return (
    String((err as Error | undefined)?.name).startsWith('SequelizeConnection') ||
    original?.fatal === true || // mysql2: the connection is unusable (lost, reset, closed)
    original?.errno === 1047 // WSREP has not yet prepared node for application use
  );
}
