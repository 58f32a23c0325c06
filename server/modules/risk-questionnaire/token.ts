/**
 * The questionnaire link's token: `<linkId>.<customerId>.<expires>.<nonce>.<signature>`, the
 * signature an HMAC-SHA256 of the rest under a key derived from the server's SESSION_SECRET
 * (config). The link's row keeps only the nonce's SHA-256, so a token cannot be rebuilt from the
 * database, and a token altered to name another link, customer or expiry fails its signature.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface LinkClaims {
  linkId: number;
  customerId: number;
  /** Unix seconds. */
  expires: number;
  nonce: string;
}

const b64url = (buf: Buffer) => buf.toString('base64url');

/** The signing key: the server secret, bound to this use (a session signature never signs a link). */
export function linkKey(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('risk-questionnaire-link/v1').digest();
}

export const newNonce = (): string => b64url(randomBytes(18));
export const nonceHash = (nonce: string): string => createHash('sha256').update(nonce).digest('hex');

const payloadOf = (c: LinkClaims) => `${c.linkId}.${c.customerId}.${c.expires}.${c.nonce}`;

export function signLink(key: Buffer, claims: LinkClaims): string {
  const payload = payloadOf(claims);
  return `${payload}.${b64url(createHmac('sha256', key).update(payload).digest())}`;
}

/** The claims of a well-formed token whose signature holds, else null. */
export function verifyLink(key: Buffer, token: string): LinkClaims | null {
  const parts = token.split('.');
  if (parts.length !== 5) return null;
  const [linkId, customerId, expires, nonce, signature] = parts as [string, string, string, string, string];
  if (![linkId, customerId, expires].every((p) => /^\d{1,12}$/.test(p)) || !/^[\w-]{16,64}$/.test(nonce)) return null;
  const expected = createHmac('sha256', key).update(`${linkId}.${customerId}.${expires}.${nonce}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return { linkId: Number(linkId), customerId: Number(customerId), expires: Number(expires), nonce };
}
