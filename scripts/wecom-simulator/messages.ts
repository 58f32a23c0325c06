/**
 * What `message/send` (发送应用消息, developer.work.weixin.qq.com/document/path/90236) takes of a
 * message's body, as the simulator checks it (server/wecom/README.md#app-messages):
 * - `msgtype` one of the documented types, else 40008 (不合法的msgtype参数, 全局错误码 90455);
 * - a textcard needs `title`, `description` and `url` (是否必须: 是). Missing `title` 41016, missing
 *   `url` 41010 (缺少url参数; WeCom answers it for a textcard without url, developer community
 *   0008a2feb94d8036f25c7a28f51000); a missing `description` is refused with 40058 — that errcode
 *   is our assumption. `url` longer than 2048 bytes: 40039 (不合法的URL长度).
 * - Too long is not refused: WeCom cuts `title` after 128 bytes and `description` after 512
 *   bytes (「超过会自动截断」), `btntxt` after 4 characters (default 「详情」) — delivered cut, which
 *   is what the simulator records.
 */
import { SimulatorError } from './state';

export const MESSAGE_TYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
] as const;

export const TEXTCARD_TITLE_BYTES = 128;
export const TEXTCARD_DESCRIPTION_BYTES = 512;
export const TEXTCARD_URL_BYTES = 2048;
export const TEXTCARD_BUTTON_CHARS = 4;

/** The longest prefix of `text` within `limit` UTF-8 bytes, never cutting a character in two. */
export function cutToBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text, 'utf8') <= limit) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > limit) break;
    out += ch;
    used += size;
  }
  return out;
}

const present = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** A textcard as WeCom delivers it, or the errcode WeCom refuses it with. */
export function textcardAsDelivered(card: unknown): { title: string; description: string; url: string; btntxt: string } {
  const c = (card && typeof card === 'object' ? card : {}) as Record<string, unknown>;
  if (!present(c.title)) throw new SimulatorError(41016, 'missing title');
  if (!present(c.description)) throw new SimulatorError(40058, 'missing description');
  if (!present(c.url)) throw new SimulatorError(41010, 'missing url');
  if (Buffer.byteLength(c.url, 'utf8') > TEXTCARD_URL_BYTES) throw new SimulatorError(40039, 'invalid url size');
  const button = present(c.btntxt) ? c.btntxt : '详情';
  return {
    title: cutToBytes(c.title, TEXTCARD_TITLE_BYTES),
    description: cutToBytes(c.description, TEXTCARD_DESCRIPTION_BYTES),
    url: c.url,
    btntxt: [...button].slice(0, TEXTCARD_BUTTON_CHARS).join(''),
  };
}

/** The body of one `message/send` as delivered: its type checked, a textcard cut where WeCom cuts it. */
export function messageAsDelivered(r: Record<string, unknown>): Record<string, unknown> {
  if (!MESSAGE_TYPES.includes(r.msgtype as (typeof MESSAGE_TYPES)[number])) throw new SimulatorError(40008, 'invalid message type');
  return r.msgtype === 'textcard' ? { ...r, textcard: textcardAsDelivered(r.textcard) } : r;
}
