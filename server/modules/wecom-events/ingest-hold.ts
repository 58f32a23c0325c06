/**
 * When the event worker's next round may run, given this process's callback deliveries. The
 * acknowledgements and the rounds share the process's one thread, and an acknowledgement has a
 * deadline (WeCom retries a delivery it has no answer to within 5 s, server/wecom/README.md#callbacks-and-their-crypto)
 * while applying an event has none: so while deliveries keep arriving — the last one less than
 * `quietMs` ago — rounds wait. A steady stream cannot hold them for more than `maxHoldMs` at a
 * time: then one round runs and the hold starts again, so applying never stops for long. Events
 * of one contact that wait a moment also coalesce into one WeCom read (handlers.ts).
 */
export class IngestHold {
  private lastStoredAt = Number.NEGATIVE_INFINITY;
  private heldSince: number | undefined;

  constructor(
    private readonly quietMs: number,
    private readonly maxHoldMs: number,
  ) {}

  /** A delivery was stored at `now`. */
  stored(now: number): void {
    this.lastStoredAt = now;
  }

  /** How long the next round waits (0: it runs now). */
  holdMs(now: number): number {
    const quietFor = now - this.lastStoredAt;
    if (quietFor >= this.quietMs) {
      this.heldSince = undefined;
      return 0;
    }
    this.heldSince ??= now;
    if (now - this.heldSince >= this.maxHoldMs) {
      this.heldSince = undefined;
      return 0;
    }
    return Math.min(this.quietMs - quietFor, this.heldSince + this.maxHoldMs - now);
  }
}
