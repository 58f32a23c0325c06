/**
 * APIs WeCom has blocked. The limits are per API per corp (「每企业调用单个cgi/api不可超过1万次/分，
 * 15万次/小时」) and over one WeCom blocks that API for the window — 「按分钟拦截则被屏蔽60秒，按小时
 * 拦截则被屏蔽60分钟」 (90454, 访问频率限制) — so every call in that time is wasted. A 45009 marks its
 * API blocked for a minute, in memory and in the shared KvStore so every instance pauses; callers
 * then wait the block out (background work) or fail at once with the time left (a person waiting
 * on a page). A second 45009 after the minute blocks it again.
 */
import type { KvStore } from '../db/kv-store';

export const BLOCK_MS = 60_000;
/** How often an instance looks at the shared store for a block another instance recorded. */
const SHARED_CHECK_MS = 1_000;

export class BlockBoard {
  private readonly until = new Map<string, number>();
  private readonly checkedAt = new Map<string, number>();

  constructor(
    private readonly store: KvStore,
    private readonly corpId: string,
    private readonly now: () => number,
  ) {}

  /** Until when `api` is blocked (0 when it is not). */
  async blockedUntil(api: string): Promise<number> {
    const now = this.now();
    const known = this.until.get(api) ?? 0;
    if (known > now) return known;
    if (now - (this.checkedAt.get(api) ?? 0) >= SHARED_CHECK_MS) {
      this.checkedAt.set(api, now);
      const shared = await this.store.get(this.key(api));
      const until = shared ? Number(shared.value) : 0;
      if (until > now) {
        this.until.set(api, until);
        return until;
      }
    }
    return 0;
  }

  /** WeCom said 45009 for `api`: blocked for the window, for every instance. */
  async block(api: string): Promise<number> {
    const until = this.now() + BLOCK_MS;
    if ((this.until.get(api) ?? 0) >= until) return this.until.get(api)!;
    this.until.set(api, until);
    await this.store.set(this.key(api), String(until), new Date(until));
    return until;
  }

  private key(api: string): string {
    return `wecom:blocked:${this.corpId}:${api}`;
  }
}
