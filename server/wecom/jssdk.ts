import { randomBytes } from 'node:crypto';
import { getJsApiSignature } from '@wecom/crypto';

export interface JsApiSignature {
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** The URL WeCom signs: the page URL without its `#fragment` (server/wecom/README.md#js-sdk). */
export function signableUrl(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** `config` (corp jsapi ticket) or `agentConfig` (app ticket) signature for a page URL. */
export function signJsApi(ticket: string, url: string, options: { nonceStr?: string; timestamp?: number } = {}): JsApiSignature {
  const nonceStr = options.nonceStr ?? randomBytes(12).toString('base64url');
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const { signature } = getJsApiSignature({ url: signableUrl(url), ticket, nonceStr, timestamp });
  return { timestamp, nonceStr, signature };
}
