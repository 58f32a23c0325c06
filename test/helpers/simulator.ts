import { createServer } from 'node:http';
import type { Sequelize } from 'sequelize';
import { SIMULATOR_DEFAULTS } from '../../config/simulator-defaults';
import { SqlKvStore } from '../../server/db/kv-store';
import { WecomClient, type WecomClientOptions } from '../../server/wecom/client';
import type { AddressInfo } from 'node:net';
import {
  createWecomSimulator,
  generateCorp,
  type CorpSnapshot,
  type SimFollow,
  type SimulatorOptions,
  type WecomSimulator,
} from '../../scripts/wecom-simulator/index';

export interface RunningSimulator {
  simulator: WecomSimulator;
  baseUrl: string;
  close(): Promise<void>;
}

/** The WeCom simulator as a real HTTP server on an ephemeral port. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const simulator = createWecomSimulator(options);
  const server = createServer(simulator.listener);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    simulator,
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** A clock tests move by hand; shared by the simulator and the client under test. */
export class FakeClock {
  constructor(public ms = Date.UTC(2026, 10, 23, 1, 0, 0)) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

/**
 * An API client for the demo corp on `sim` (a simulator of its own, or the one a test server
 * mounts at `/__wecom`), sharing `clock`, with backoff sleeps skipped. Secrets as a corp created
 * today is configured: 客户联系 APIs with the self-built app's secret (the system-app secret is
 * refused since 2023-12-01), the 通讯录同步 secret for `user/list_id`.
 */
export function simulatorClient(
  sim: Pick<RunningSimulator, 'baseUrl'>,
  sequelize: Sequelize,
  clock: FakeClock,
  overrides: Partial<WecomClientOptions> = {},
): WecomClient {
  const d = SIMULATOR_DEFAULTS;
  return new WecomClient({
    apiBase: sim.baseUrl,
    corpId: d.corpId,
    agentId: d.agentId,
    secrets: { agent: d.agentSecret, contact: d.contactSecret, external: d.agentSecret },
    store: new SqlKvStore(sequelize, clock.now),
    now: clock.now,
    sleep: async () => {},
    ...overrides,
  });
}

/** A follow as externalcontact/get lists it: the member added the contact themselves (add_way 1), no tags, no remark mobiles. */
export function plainFollow(userid: string, createtime: number, remark = ''): SimFollow {
  return { userid, remark, description: '', createtime, tag_ids: [], remark_mobiles: [], add_way: 1, oper_userid: userid };
}

/** The demo org with `count` more contacts (external_userid `ext(i)`, name `name(i)`), each followed by `userid` alone. */
export function corpWithContactsOf(userid: string, count: number, contact: { ext: (i: number) => string; name: (i: number) => string }): CorpSnapshot {
  const snapshot = generateCorp({ externalContacts: 0 });
  for (let i = 0; i < count; i++)
    snapshot.externalContacts.push({
      contact: { external_userid: contact.ext(i), name: contact.name(i), type: 1, avatar: '', gender: 1 },
      follows: [plainFollow(userid, 1_760_000_000 + i)],
    });
  return snapshot;
}
