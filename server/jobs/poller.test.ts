import pino from 'pino';
import { Poller, type Consumer } from './poller';

const logger = pino({ level: 'silent' });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A consumer with `work` units due, one per round, that holds its rounds while `held` says so. */
function consumer(work: number, held: () => number): Consumer & { rounds: number } {
  return {
    rounds: 0,
    async runOnce() {
      if (work === 0) return 0;
      work--;
      this.rounds++;
      return 1;
    },
    holdMs: held,
  };
}

describe('the poller that drives a queue consumer', () => {
  it('holds the next round while the consumer asks, and runs it once the consumer lets go', async () => {
    let hold = 1_000;
    const c = consumer(3, () => hold);
    const poller = new Poller(c, { name: 'test', pollMs: 5_000, logger });
    poller.start();
    await tick(50);
    expect(c.rounds).toBe(0);

    hold = 0;
    poller.nudge();
    await tick(50);
    await poller.stop();
    expect(c.rounds).toBe(3);
  });

  it('never holds a drain', async () => {
    const c = consumer(3, () => 60_000);
    expect(await new Poller(c, { name: 'test', pollMs: 5_000, logger }).drain()).toBe(3);
  });
});
