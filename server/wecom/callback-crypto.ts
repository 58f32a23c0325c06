/**
 * WeCom callback crypto (server/wecom/README.md#callbacks-and-their-crypto) on top of the official @wecom/crypto: signature check in
 * constant time, strict base64 and block-size checks before decrypting, and the receive id
 * compared with our corp id (the official helper does none of these).
 */
import { createDecipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { encrypt, getSignature } from '@wecom/crypto';
import { parseCallbackXml, xmlText, type XmlObject, XmlRejectedError } from './xml';

export type CallbackRejection = 'missing_parameter' | 'bad_signature' | 'undecryptable' | 'wrong_receiver' | 'malformed';

export class CallbackVerificationError extends Error {
  constructor(
    readonly reason: CallbackRejection,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackVerificationError';
  }
}

export interface SignedQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
}

export interface DecryptedCallback {
  /** The decrypted event XML, exactly as WeCom sent it. */
  xml: string;
  /** The same, parsed. */
  event: XmlObject;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** WeCom's envelope: `<xml>` holding a few elements that are each one CDATA section, nothing else. */
const PLAIN_ENVELOPE = /^\s*<xml>(?:\s*<(\w+)><!\[CDATA\[[^\]]*\]\]><\/\1>)+\s*<\/xml>\s*$/;
const ENCRYPT_ELEMENT = /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/g;

/**
 * The `<Encrypt>` text of a delivery body. A body of exactly WeCom's shape is read with two
 * linear patterns instead of a full XML parse (ingest runs this for every delivery, and the
 * signature check then authenticates the text); anything else goes through the strict parser.
 */
function encryptedPartOf(body: string): string {
  if (PLAIN_ENVELOPE.test(body)) {
    const found = [...body.matchAll(ENCRYPT_ELEMENT)];
    if (found.length === 1 && found[0]![1]) return found[0]![1];
  }
  let outer: XmlObject;
  try {
    outer = parseCallbackXml(body);
  } catch (err) {
    throw new CallbackVerificationError('malformed', (err as Error).message);
  }
  const encrypted = xmlText(outer, 'Encrypt');
  if (!encrypted) throw new CallbackVerificationError('malformed', 'the body has no <Encrypt> element');
  return encrypted;
}

export class CallbackCrypto {
  private readonly token: string;
  private readonly aesKey: string;
  private readonly receiveId: string;

  constructor(options: { token: string; encodingAesKey: string; receiveId: string }) {
    if (!/^[A-Za-z0-9+/]{43}$/.test(options.encodingAesKey)) {
      throw new Error('EncodingAESKey must be 43 base64 characters');
    }
    this.token = options.token;
    this.aesKey = options.encodingAesKey;
    this.receiveId = options.receiveId;
    // Derived once here, not per delivery as @wecom/crypto's decrypt does (its key and IV, as it derives them).
    this.key = Buffer.from(`${options.encodingAesKey}=`, 'base64');
    this.iv = this.key.subarray(0, 16);
  }

  private readonly key: Buffer;
  private readonly iv: Buffer;

  /** URL verification (GET): returns the plaintext echostr to answer with, as is. */
  verifyUrl(query: SignedQuery & { echostr?: string }): string {
    const { timestamp, nonce } = requireParams(query);
    const echostr = query.echostr;
    if (!echostr) throw new CallbackVerificationError('missing_parameter', 'echostr is required');
    this.checkSignature(query.msg_signature!, timestamp, nonce, echostr);
    return this.decryptPayload(echostr);
  }

  /** Event delivery (POST): verifies and decrypts the `<Encrypt>` of the outer XML body. */
  openEvent(query: SignedQuery, body: string): DecryptedCallback {
    const { timestamp, nonce } = requireParams(query);
    const encrypted = encryptedPartOf(body);
    this.checkSignature(query.msg_signature!, timestamp, nonce, encrypted);
    const xml = this.decryptPayload(encrypted);
    try {
      return { xml, event: parseCallbackXml(xml) };
    } catch (err) {
      if (err instanceof XmlRejectedError) throw new CallbackVerificationError('malformed', err.message);
      throw err;
    }
  }

  /** Encrypts a plaintext event the way WeCom does (used by the simulator and tests). */
  seal(
    plaintext: string,
    options: { timestamp?: string; nonce?: string; agentId?: string } = {},
  ): { query: Required<SignedQuery>; body: string; encrypted: string } {
    const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = options.nonce ?? randomBytes(8).readUInt32BE(0).toString();
    const encrypted = encrypt(this.aesKey, plaintext, this.receiveId);
    const signature = getSignature(this.token, timestamp, nonce, encrypted);
    const body =
      `<xml><ToUserName><![CDATA[${this.receiveId}]]></ToUserName>` +
      `<AgentID><![CDATA[${options.agentId ?? ''}]]></AgentID>` +
      `<Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;
    return { query: { msg_signature: signature, timestamp, nonce }, body, encrypted };
  }

  /** The signed query for a URL-verification request carrying `echostr` (simulator side). */
  signEchostr(plaintext: string): Required<SignedQuery> & { echostr: string } {
    const { query, encrypted } = this.seal(plaintext);
    return { ...query, echostr: encrypted };
  }

  private checkSignature(signature: string, timestamp: string, nonce: string, payload: string): void {
    const expected = getSignature(this.token, timestamp, nonce, payload);
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(signature.toLowerCase(), 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new CallbackVerificationError('bad_signature', 'msg_signature does not match');
    }
  }

  private decryptPayload(encrypted: string): string {
    // AES-CBC ciphertext is whole 16-byte blocks; WeCom pads to 32. Reject anything else early.
    const raw = BASE64.test(encrypted) ? Buffer.from(encrypted, 'base64') : undefined;
    if (!raw || raw.length < 32 || raw.length % 32 !== 0) {
      throw new CallbackVerificationError('undecryptable', 'ciphertext is not valid base64 of whole AES blocks');
    }
    let opened: { message: string; id: string };
    try {
      opened = this.decrypt(raw);
    } catch {
      throw new CallbackVerificationError('undecryptable', 'ciphertext could not be decrypted');
    }
    if (opened.id !== this.receiveId) {
      // Also what a wrong key or broken padding looks like: the tail is not our corp id.
      throw new CallbackVerificationError('wrong_receiver', 'the message is not addressed to this corp');
    }
    return opened.message;
  }

  /**
   * @wecom/crypto's decrypt on the already decoded ciphertext with the key derived once: AES-256-CBC
   * (IV = the key's first 16 bytes), its PKCS#7 padding of up to 32 bytes removed (left as is when
   * out of range, as there), then 16 random bytes, the message length, the message, the receive id.
   */
  private decrypt(raw: Buffer): { message: string; id: string } {
    const decipher = createDecipheriv('aes-256-cbc', this.key, this.iv);
    decipher.setAutoPadding(false);
    const padded = Buffer.concat([decipher.update(raw), decipher.final()]);
    const pad = padded[padded.length - 1]!;
    const plain = pad < 1 || pad > 32 ? padded : padded.subarray(0, padded.length - pad);
    const length = plain.readUInt32BE(16);
    return { message: plain.subarray(20, length + 20).toString(), id: plain.subarray(length + 20).toString() };
  }
}

function requireParams(query: SignedQuery): { timestamp: string; nonce: string } {
  const { msg_signature, timestamp, nonce } = query;
  if (!msg_signature || !timestamp || !nonce) {
    throw new CallbackVerificationError('missing_parameter', 'msg_signature, timestamp and nonce are required');
  }
  return { timestamp, nonce };
}
