/**
 * The WeCom simulator as a library: `createWecomSimulator()` returns the corp state, the fault
 * injector, the event sender and a request listener answering WeCom's paths. main.ts mounts it
 * at `/__wecom` in simulator mode; tests start it on its own port or mount it the same way.
 */
import type { RequestListener } from 'node:http';
import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Config } from '../../config';
import { SIMULATOR_DEFAULTS } from '../../config/simulator-defaults';
import type { SecretKind } from '../../server/wecom/types';
import { adminRouter } from './admin';
import { SimulatedApi } from './api';
import { generateCorp } from './demo-corp';
import { EventSender } from './events';
import { FaultInjector } from './faults';
import { oauthRouter } from './oauth';
import { CURRENT_RULES, LEGACY_RULES, type SimulatorRules } from './rules';
import { CorpState, type CorpSnapshot } from './state';
import { DEFAULT_TRANSFER_SETTINGS, TransferDesk, type TransferSettings } from './transfers';

export { generateCorp, DEMO_EMPLOYEES, DEMO_DEPARTMENTS, type GenerateCorpOptions } from './demo-corp';
export type { CorpSnapshot, SimEvent, SimExternalContact, SimFollow } from './state';
export type { FaultRule } from './faults';
export type { SimulatorRules } from './rules';
export type { SimTransfer, TransferSettings } from './transfers';

export interface SimulatorOptions {
  corpId?: string;
  agentId?: string;
  secrets?: Partial<Record<SecretKind, string>>;
  callbackToken?: string;
  callbackAesKey?: string;
  callbackUrl?: string;
  /** The corp to load; the demo corp when omitted. */
  corp?: CorpSnapshot;
  tokenTtlSeconds?: number;
  ticketTtlSeconds?: number;
  codeTtlSeconds?: number;
  rateLimitPerMinute?: number;
  eventRetryDelayMs?: number;
  eventAnswerTimeoutMs?: number;
  faultSeed?: number;
  now?: () => number;
  /** WeCom as documented today (default), or `era: 'legacy'` for the 2021 API; plus the corp's switches. */
  rules?: Partial<SimulatorRules>;
  /** 客户继承: the customer's objection window (compressed) and the takeover limit. */
  transfers?: Partial<TransferSettings>;
  /** Where the simulator is reachable from a browser (`…/__wecom`): 「联系我」 QR images are served there. */
  publicBaseUrl?: string;
}

/** The rules for `options`: today's unless `era: 'legacy'`, with the given switches. */
export function rulesOf(options: Partial<SimulatorRules> = {}): SimulatorRules {
  return { ...(options.era === 'legacy' ? LEGACY_RULES : CURRENT_RULES), ...options };
}

export interface WecomSimulator {
  readonly state: CorpState;
  readonly api: SimulatedApi;
  /** 在职 / 离职继承 in flight; `refuse()` plays a customer who taps 暂不添加. */
  readonly transfers: TransferDesk;
  readonly events: EventSender;
  readonly faults: FaultInjector;
  /** Answers WeCom's paths (`/cgi-bin/...`, `/connect/oauth2/authorize`, `/admin/...`). */
  readonly listener: RequestListener;
}

export function createWecomSimulator(options: SimulatorOptions = {}): WecomSimulator {
  const d = SIMULATOR_DEFAULTS;
  const corpId = options.corpId ?? d.corpId;
  const events = new EventSender({
    corpId,
    token: options.callbackToken ?? d.callbackToken,
    encodingAesKey: options.callbackAesKey ?? d.callbackAesKey,
    retryDelayMs: options.eventRetryDelayMs,
    answerTimeoutMs: options.eventAnswerTimeoutMs,
  });
  events.callbackUrl = options.callbackUrl;
  const now = options.now ?? Date.now;
  const rules = rulesOf(options.rules);
  const state = new CorpState((event) => events.send(event), now);
  state.rules = rules;
  state.load(options.corp ?? generateCorp());
  const faults = new FaultInjector(options.faultSeed);
  const transfers = new TransferDesk(state, { ...DEFAULT_TRANSFER_SETTINGS, ...options.transfers }, now);
  const api = new SimulatedApi(
    state,
    faults,
    {
      corpId,
      agentId: options.agentId ?? d.agentId,
      secrets: {
        agent: options.secrets?.agent ?? d.agentSecret,
        contact: options.secrets?.contact ?? d.contactSecret,
        external: options.secrets?.external ?? d.externalSecret,
      },
      tokenTtlSeconds: options.tokenTtlSeconds ?? 7200,
      ticketTtlSeconds: options.ticketTtlSeconds ?? 7200,
      codeTtlSeconds: options.codeTtlSeconds ?? 300,
      rateLimitPerMinute: options.rateLimitPerMinute ?? 10_000,
      rules,
    },
    transfers,
    now,
    options.publicBaseUrl,
  );

  const app = new Koa();
  app.silent = true;
  app.use(bodyParser({ enableTypes: ['json'], jsonLimit: '2mb' }));
  for (const router of [api.router(), oauthRouter(state, api), adminRouter({ state, api, events, faults })]) {
    app.use(router.routes()).use(router.allowedMethods());
  }
  app.use((ctx) => {
    ctx.status = 404;
    ctx.body = { errcode: 404, errmsg: `no such simulator path ${ctx.path}` };
  });

  return { state, api, transfers, events, faults, listener: app.callback() };
}

/** Simulator options matching the app's configured corp, so the app's credentials work on it. */
export function simulatorOptionsFor(config: Config): SimulatorOptions {
  const w = config.wecom;
  const { transferDelayMs, ...rules } = config.simulator;
  return {
    corpId: w.corpId,
    agentId: w.agentId,
    // The corp still has a 客户联系 system-app secret (refused under today's rules) even when the
    // app is configured, as recommended, to call 客户联系 APIs with its own.
    secrets: {
      agent: w.agentSecret,
      contact: w.contactSecret,
      external: w.externalSecret === w.agentSecret ? SIMULATOR_DEFAULTS.externalSecret : w.externalSecret,
    },
    callbackToken: w.callbackToken,
    callbackAesKey: w.callbackAesKey,
    rules,
    transfers: { objectionMs: transferDelayMs },
    publicBaseUrl: `${config.publicUrl}/__wecom`,
  };
}
