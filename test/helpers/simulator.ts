import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWecomSimulator,
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
