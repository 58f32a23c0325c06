import { createHash } from 'node:crypto';
import type { KvStore } from '../db/kv-store';

/** Refresh this long before WeCom's expiry, so no call goes out with a token about to die. */
export const EARLY_REFRESH_MS = 5 * 60 * 1000;

export interface Credential {
  value: string;
  expiresAt: number;
}

/**
 * Access tokens and tickets: in memory for speed, in the shared KvStore so all instances use
 * one token per secret, and one in-flight fetch per key so concurrent callers never stampede.
 */
export class CredentialCache {
  private readonly memory = new Map<string, Credential>();
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(
    private readonly store: KvStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached credential for `key`, or a new one from `fetchFresh`. Pass `rejected` (a value
   * WeCom just refused) to force a refresh unless the store already has a different one.
   */
  async get(key: string, fetchFresh: () => Promise<Credential>, rejected?: string): Promise<string> {
    const cached = this.memory.get(key);
    if (cached && cached.value !== rejected && this.fresh(cached)) return cached.value;
    if (cached?.value === rejected) this.memory.delete(key);

    const pending = this.inflight.get(key);
    if (pending) return pending;
    const load = this.load(key, fetchFresh, rejected).finally(() => this.inflight.delete(key));
    this.inflight.set(key, load);
    return load;
  }

  private async load(key: string, fetchFresh: () => Promise<Credential>, rejected?: string): Promise<string> {
    const stored = await this.store.get(key);
    if (stored?.expiresAt && stored.value !== rejected) {
      const credential = { value: stored.value, expiresAt: stored.expiresAt.getTime() };
      if (this.fresh(credential)) {
        this.memory.set(key, credential);
        return credential.value;
      }
    }
    const credential = await fetchFresh();
    await this.store.set(key, credential.value, new Date(credential.expiresAt));
    this.memory.set(key, credential);
    return credential.value;
  }

  private fresh(credential: Credential): boolean {
    return credential.expiresAt - EARLY_REFRESH_MS > this.now();
  }
}

/** Cache key of a credential; the secret is folded in as a hash so rotating it starts afresh. */
export function credentialKey(kind: string, corpId: string, secret: string): string {
  const digest = createHash('sha256').update(secret).digest('hex').slice(0, 16);
  return `wecom:${kind}:${corpId}:${digest}`;
}
