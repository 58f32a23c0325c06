/**
 * Read replicas (`DATABASE_READ_URLS`, README.md#deployment). Sequelize's `replication` option
 * keeps a pool per replica and, left alone, sends every SELECT outside a transaction to one —
 * including the read right after a write of the same request, which an asynchronous replica may
 * not have yet. Here the default is the opposite: every statement goes to the primary, and only
 * work run in `readsFromReplicas` (the read-only requests server/http/read-routing.ts lets
 * through: dashboards, exports, lists) reads a replica. A replica that cannot be reached, or has
 * stopped applying the primary's log or fallen behind, is passed over for a while: its reads go
 * to the primary.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Logger } from '../logger';

const replicaReads = new AsyncLocalStorage<true>();
/** A replica this far behind (or not applying at all) is passed over. */
export const MAX_REPLICA_LAG_SECONDS = 5;
/** How long reads stay on the primary after a replica failed to answer or lagged. */
const PASS_OVER_MS = 5_000;
const CHECK_LAG_EVERY_MS = 2_000;

/** Runs `fn` with its SELECTs outside transactions allowed on a replica. */
export function readsFromReplicas<T>(fn: () => Promise<T>): Promise<T> {
  return replicaReads.run(true, fn);
}

/** Whether the work running now may read a replica. */
export function replicaReadsAllowed(): boolean {
  return replicaReads.getStore() === true;
}

interface ConnectionManager {
  getConnection(options?: { type?: string; useMaster?: boolean }): Promise<unknown>;
}

/** Routes reads as described above, on a Sequelize opened with `replication`. */
export function routeReads(sequelize: Sequelize, logger?: Logger): void {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const acquire = manager.getConnection.bind(manager);
  let passOverUntil = 0;
  let lagCheckedAt = 0;
  const passOver = (why: Record<string, unknown>) => {
    if (Date.now() >= passOverUntil) logger?.warn(why, 'read replica passed over: reading from the primary');
    passOverUntil = Date.now() + PASS_OVER_MS;
  };
  const checkLag = async () => {
    lagCheckedAt = Date.now();
    // Through the replica pool; a user without the privilege (SLAVE MONITOR) sees no rows: trusted.
    const [status] = await replicaReads.run(true, () =>
      sequelize.query<{ Seconds_Behind_Master: number | null }>('SHOW SLAVE STATUS', { type: QueryTypes.SELECT }).catch(() => [undefined]),
    );
    if (status && (status.Seconds_Behind_Master === null || Number(status.Seconds_Behind_Master) > MAX_REPLICA_LAG_SECONDS))
      passOver({ secondsBehind: status.Seconds_Behind_Master });
  };
  manager.getConnection = async (options = {}) => {
    const replica = options.type === QueryTypes.SELECT && !options.useMaster && replicaReadsAllowed() && Date.now() >= passOverUntil;
    if (!replica) return acquire({ ...options, useMaster: true });
    if (Date.now() - lagCheckedAt > CHECK_LAG_EVERY_MS) void checkLag();
    try {
      return await acquire(options);
    } catch (err) {
      passOver({ err: (err as Error).message });
      return acquire({ ...options, useMaster: true });
    }
  };
}

/** Sequelize's `replication` option: writes (and by default all reads) on `url`, reads also on each replica. */
export function replicationOption(url: string, readUrls: readonly string[]) {
  const part = (u: string) => {
    const parsed = new URL(u);
    return {
      host: parsed.hostname,
      port: Number(parsed.port || 3306),
      username: decodeURIComponent(parsed.username),
      password: decodeURIComponent(parsed.password),
      database: decodeURIComponent(parsed.pathname.slice(1)),
    };
  };
  return { write: part(url), read: readUrls.map(part) };
}
