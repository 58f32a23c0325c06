/**
 * The loop that drives a queue consumer: run a round now, again at once while there was work,
 * else after `pollMs`; `nudge` when something was queued; `stop` waits for the round in progress.
 * One implementation for the event worker, the notification sender and the job worker.
 */
import type { Logger } from '../logger';

export interface Consumer {
  /** One round of work; how many units it handled (0: nothing was due). */
  runOnce(): Promise<number>;
  /**
   * How long the poller should hold the next round (0 or absent: run it now) — a consumer that
   * yields to more urgent work in the process. `drain` never holds.
   */
  holdMs?(): number;
}

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: { name: string; pollMs: number; logger: Logger },
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Work was queued: look now rather than at the next poll. */
  nudge(): void {
    if (!this.stopped && !this.running) this.schedule(0);
  }

  /** Rounds until nothing is due (tests, CLIs). Returns how many units were handled. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.consumer.runOnce();
      if (n === 0) return total;
      total += n;
    }
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const hold = this.consumer.holdMs?.() ?? 0;
      if (hold > 0) return this.schedule(hold);
      this.running = this.consumer
        .runOnce()
        .catch((err: unknown) => {
          this.options.logger.error({ err, consumer: this.options.name }, 'background round failed');
          return 0;
        })
        .then((n) => {
          this.running = undefined;
          if (!this.stopped) this.schedule(n > 0 ? 0 : this.options.pollMs);
        });
    }, delay);
    this.timer.unref();
  }
}

/** A consumer driven by its own poller: start / stop / nudge / drain, one round at a time. */
export abstract class PolledWorker implements Consumer {
  private readonly poller: Poller;

  constructor(name: string, pollMs: number, logger: Logger) {
    this.poller = new Poller(this, { name, pollMs, logger });
  }

  abstract runOnce(): Promise<number>;

  start(): void {
    this.poller.start();
  }

  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void> {
    return this.poller.stop();
  }

  /** Work was queued: look now rather than at the next poll. */
  nudge(): void {
    this.poller.nudge();
  }

  /** Rounds until nothing is due (tests, CLIs). Returns how many units were handled. */
  drain(): Promise<number> {
    return this.poller.drain();
  }
}
