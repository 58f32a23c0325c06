/**
 * Fault injection per API (or `*` for all): a share of calls answered with an errcode or an HTTP
 * 5xx, added latency, no answer at all (a hang, to exercise client timeouts), or a call WeCom
 * carries out but answers too late (the caller gives up although the write landed).
 */
import { seededRandom } from './demo-corp';

export interface FaultRule {
  /** 0..1: share of calls that fail. */
  errorRate?: number;
  /** Errcodes to answer with (one picked at random per failing call); default -1. */
  errcodes?: number[];
  /** Answer failing calls with this HTTP status instead of an errcode (e.g. 502). */
  httpStatus?: number;
  /** Added to every call of the API. */
  latencyMs?: number;
  /** The next N calls fail (deterministic; counts down), before `errorRate` is consulted. */
  failFirst?: number;
  /** Share of calls that never answer (the socket stays open until the client gives up). */
  timeoutRate?: number;
  /**
   * The next N calls are carried out at once (a tag applied, a welcome delivered) but answered only
   * after `lateAnswerMs`: longer than the client waits, the answer is lost although the write landed.
   */
  answerLateFirst?: number;
  /** How late those answers come (default 60 s: past any client's deadline). */
  lateAnswerMs?: number;
}

export type FaultDecision = { kind: 'none' } | { kind: 'errcode'; errcode: number } | { kind: 'http'; status: number } | { kind: 'hang' };

export class FaultInjector {
  private readonly rules = new Map<string, FaultRule>();
  private random: () => number;

  constructor(seed = 42) {
    this.random = seededRandom(seed);
  }

  set(api: string, rule: FaultRule): void {
    this.rules.set(api, { ...rule });
  }

  clear(api?: string): void {
    if (api) this.rules.delete(api);
    else this.rules.clear();
  }

  list(): Record<string, FaultRule> {
    return Object.fromEntries(this.rules);
  }

  latencyFor(api: string): number {
    return (this.rules.get(api)?.latencyMs ?? 0) + (this.rules.get('*')?.latencyMs ?? 0);
  }

  /** How long to hold back the answer of a call that was carried out (0: answer at once); counts `answerLateFirst` down. */
  lateAnswerFor(api: string): number {
    for (const rule of [this.rules.get(api), this.rules.get('*')]) {
      if (!rule?.answerLateFirst) continue;
      rule.answerLateFirst -= 1;
      return rule.lateAnswerMs ?? 60_000;
    }
    return 0;
  }

  decide(api: string): FaultDecision {
    for (const rule of [this.rules.get(api), this.rules.get('*')]) {
      if (!rule) continue;
      if (rule.timeoutRate && this.random() < rule.timeoutRate) return { kind: 'hang' };
      const forced = (rule.failFirst ?? 0) > 0;
      if (forced) rule.failFirst! -= 1;
      if (forced || (rule.errorRate && this.random() < rule.errorRate)) {
        if (rule.httpStatus) return { kind: 'http', status: rule.httpStatus };
        const codes = rule.errcodes?.length ? rule.errcodes : [-1];
        return { kind: 'errcode', errcode: codes[Math.floor(this.random() * codes.length)]! };
      }
    }
    return { kind: 'none' };
  }
}
