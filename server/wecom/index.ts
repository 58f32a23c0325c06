import type { Config } from '../../config';
import type { KvStore } from '../db/kv-store';
import type { Logger } from '../logger';
import { WecomClient } from './client';

export { WecomClient } from './client';
export { WecomApiError, WecomTransportError } from './errors';
export { CallbackCrypto, CallbackVerificationError } from './callback-crypto';

/**
 * The API client for the configured corp (the simulator's base in simulator mode). `apiBase`
 * overrides the configured base (a CLI running its own simulator).
 */
export function createWecomClient(config: Config, store: KvStore, logger?: Logger, apiBase = config.wecom.apiBase): WecomClient {
  const w = config.wecom;
  return new WecomClient({
    apiBase,
    corpId: w.corpId,
    agentId: w.agentId,
    secrets: { agent: w.agentSecret, contact: w.contactSecret, external: w.externalSecret },
    store,
    logger,
  });
}
