/**
 * Delivers callback events the way WeCom does: encrypted with the corp's Token and
 * EncodingAESKey, POSTed to the configured URL, retried up to 3 more times when the answer is
 * not HTTP 200 with `success` (or an empty body) within 5 seconds. Deliveries are sequential,
 * so events arrive in the order they happened.
 */
import { randomUUID } from 'node:crypto';
import { CallbackCrypto } from '../../server/wecom/callback-crypto';
import { buildCallbackXml, type XmlObject } from '../../server/wecom/xml';
import type { SimEvent } from './state';

export interface Delivery {
  id: string;
  event: SimEvent;
  xml: string;
  attempts: number;
  status: 'pending' | 'delivered' | 'failed';
  lastError?: string;
}

export interface EventSenderOptions {
  corpId: string;
  token: string;
  encodingAesKey: string;
  /** WeCom gives up on an answer after 5 s. */
  answerTimeoutMs?: number;
  /** Wait before each retry (WeCom's is longer; tests shorten it). */
  retryDelayMs?: number;
  maxRetries?: number;
}

export class EventSender {
  callbackUrl: string | undefined;
  readonly deliveries: Delivery[] = [];
  private readonly crypto: CallbackCrypto;
  private queue: Promise<void> = Promise.resolve();
  private readonly answerTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetries: number;

  constructor(private readonly options: EventSenderOptions) {
    this.crypto = new CallbackCrypto({
      token: options.token,
      encodingAesKey: options.encodingAesKey,
      receiveId: options.corpId,
    });
    this.answerTimeoutMs = options.answerTimeoutMs ?? 5000;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.maxRetries = options.maxRetries ?? 3;
  }

  /** Queues an event for delivery (a no-op, recorded as failed, when no callback URL is set). */
  send(event: SimEvent): Delivery {
    const fields = { ToUserName: this.options.corpId, FromUserName: 'sys', ...event };
    const delivery: Delivery = {
      id: randomUUID(),
      event: fields,
      xml: buildCallbackXml(fields as Record<string, string | number | XmlObject>),
      attempts: 0,
      status: 'pending',
    };
    this.deliveries.push(delivery);
    this.queue = this.queue.then(() => this.deliver(delivery));
    return delivery;
  }

  /** The same message delivered again, byte for byte (WeCom's retry after an answer it did not take). */
  resend(previous: Delivery): Delivery {
    const delivery: Delivery = { ...previous, id: randomUUID(), attempts: 0, status: 'pending', lastError: undefined };
    this.deliveries.push(delivery);
    this.queue = this.queue.then(() => this.deliver(delivery));
    return delivery;
  }

  /** Resolves when every queued event has been delivered or given up on. */
  flush(): Promise<void> {
    return this.queue;
  }

  /**
   * The URL-verification GET WeCom sends when an admin saves the callback URL. Returns whether
   * the receiver answered with the decrypted echostr.
   */
  async verifyUrl(url: string): Promise<{ ok: boolean; answer: string }> {
    const plaintext = String(Math.floor(Math.random() * 1e18));
    const query = this.crypto.signEchostr(plaintext);
    const target = new URL(url);
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(this.answerTimeoutMs) });
      const answer = await res.text();
      return { ok: res.status === 200 && answer === plaintext, answer };
    } catch (err) {
      return { ok: false, answer: (err as Error).message };
    }
  }

  private async deliver(delivery: Delivery): Promise<void> {
    if (!this.callbackUrl) {
      delivery.status = 'failed';
      delivery.lastError = 'no callback URL configured';
      return;
    }
    const { query, body } = this.crypto.seal(delivery.xml);
    const target = new URL(this.callbackUrl);
    for (const [k, v] of Object.entries(query)) target.searchParams.set(k, v);
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.retryDelayMs));
      delivery.attempts++;
      try {
        const res = await fetch(target, {
          method: 'POST',
          headers: { 'content-type': 'text/xml' },
          body,
          signal: AbortSignal.timeout(this.answerTimeoutMs),
        });
        const answer = (await res.text()).trim();
        if (res.status === 200 && (answer === 'success' || answer === '')) {
          delivery.status = 'delivered';
          return;
        }
        delivery.lastError = `HTTP ${res.status}: ${answer.slice(0, 200)}`;
      } catch (err) {
        delivery.lastError = (err as Error).message;
      }
    }
    delivery.status = 'failed';
  }
}
