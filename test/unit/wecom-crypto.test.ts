import { encrypt, getSignature } from '@wecom/crypto';
import { CallbackCrypto, CallbackVerificationError } from '../../server/wecom/callback-crypto';
import { signJsApi, signableUrl } from '../../server/wecom/jssdk';
import { buildCallbackXml, parseCallbackXml, XmlRejectedError } from '../../server/wecom/xml';

// The official sample vector (server/wecom/README.md#callbacks-and-their-crypto).
const SAMPLE = {
  token: 'QDG6eK',
  encodingAesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  corpId: 'wx5823bf96d3bd56c7',
  query: {
    msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
    timestamp: '1409659589',
    nonce: '263014780',
    echostr: decodeURIComponent('P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D'),
  },
  plaintext: '1616140317555161061',
};

const sampleCrypto = (receiveId = SAMPLE.corpId) => new CallbackCrypto({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, receiveId });

function rejectionOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof CallbackVerificationError) return err.reason;
    throw err;
  }
  throw new Error('expected a CallbackVerificationError');
}

const EVENT_XML = buildCallbackXml({
  ToUserName: SAMPLE.corpId,
  FromUserName: 'sys',
  CreateTime: 1700000000,
  MsgType: 'event',
  Event: 'change_external_contact',
  ChangeType: 'add_external_contact',
  UserID: 'rep-east-1',
  ExternalUserID: 'wmABC',
  State: '渠道-活动',
});

describe('callback URL verification', () => {
  it('verifies and decrypts the official sample echostr', () => {
    expect(sampleCrypto().verifyUrl(SAMPLE.query)).toBe(SAMPLE.plaintext);
  });

  it('rejects the sample for another corp id', () => {
    expect(rejectionOf(() => sampleCrypto('wwsomebodyelse').verifyUrl(SAMPLE.query))).toBe('wrong_receiver');
  });

  it('rejects a tampered signature', () => {
    const query = { ...SAMPLE.query, msg_signature: SAMPLE.query.msg_signature.replace(/^5/, '6') };

    expect(rejectionOf(() => sampleCrypto().verifyUrl(query))).toBe('bad_signature');
  });

  it('rejects a signature of the wrong length', () => {
    expect(rejectionOf(() => sampleCrypto().verifyUrl({ ...SAMPLE.query, msg_signature: 'abc' }))).toBe('bad_signature');
  });

  it('rejects a request with missing parameters', () => {
    expect(rejectionOf(() => sampleCrypto().verifyUrl({ ...SAMPLE.query, nonce: undefined }))).toBe('missing_parameter');
  });

  it('rejects truncated base64 even when correctly signed', () => {
    const echostr = SAMPLE.query.echostr.slice(0, 40);
    const msg_signature = getSignature(SAMPLE.token, SAMPLE.query.timestamp, SAMPLE.query.nonce, echostr);

    expect(rejectionOf(() => sampleCrypto().verifyUrl({ ...SAMPLE.query, echostr, msg_signature }))).toBe('undecryptable');
  });

  it('refuses to be built with a key that is not 43 characters', () => {
    expect(() => new CallbackCrypto({ token: 't', encodingAesKey: SAMPLE.encodingAesKey.slice(1), receiveId: 'x' })).toThrow(
      'EncodingAESKey must be 43 base64 characters',
    );
  });
});

describe('callback events', () => {
  it('round-trips an event through seal and open', () => {
    const crypto = sampleCrypto();
    const { query, body } = crypto.seal(EVENT_XML);

    const opened = crypto.openEvent(query, body);

    expect(opened.xml).toBe(EVENT_XML);
    expect(opened.event).toMatchObject({
      ChangeType: 'add_external_contact',
      ExternalUserID: 'wmABC',
      State: '渠道-活动',
      CreateTime: '1700000000',
    });
  });

  it('rejects an event sealed for another corp', () => {
    const foreign = new CallbackCrypto({ token: SAMPLE.token, encodingAesKey: SAMPLE.encodingAesKey, receiveId: 'wwother' });
    const { query, body } = foreign.seal(EVENT_XML);

    expect(rejectionOf(() => sampleCrypto().openEvent(query, body))).toBe('wrong_receiver');
  });

  it('rejects an event encrypted with another key', () => {
    const otherKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const encrypted = encrypt(otherKey, EVENT_XML, SAMPLE.corpId);
    const query = { timestamp: '1', nonce: '2', msg_signature: getSignature(SAMPLE.token, '1', '2', encrypted) };
    const body = `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt></xml>`;

    expect(['wrong_receiver', 'undecryptable']).toContain(rejectionOf(() => sampleCrypto().openEvent(query, body)));
  });

  it('rejects a body with a bad signature before decrypting', () => {
    const { query, body } = sampleCrypto().seal(EVENT_XML);

    expect(rejectionOf(() => sampleCrypto().openEvent({ ...query, nonce: 'other' }, body))).toBe('bad_signature');
  });

  it.each([
    [
      'WeCom’s documented order',
      (e: string) =>
        `<xml><ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName><AgentID><![CDATA[1000002]]></AgentID><Encrypt><![CDATA[${e}]]></Encrypt></xml>`,
    ],
    [
      'line breaks between elements',
      (e: string) => `<xml>\n  <ToUserName><![CDATA[${SAMPLE.corpId}]]></ToUserName>\n  <Encrypt><![CDATA[${e}]]></Encrypt>\n</xml>\n`,
    ],
    ['a plain-text element (read by the parser)', (e: string) => `<xml><ToUserName>${SAMPLE.corpId}</ToUserName><Encrypt><![CDATA[${e}]]></Encrypt></xml>`],
  ])('opens an envelope with %s', (_, envelope) => {
    const { query, encrypted } = sampleCrypto().seal(EVENT_XML);

    expect(sampleCrypto().openEvent(query, envelope(encrypted)).xml).toBe(EVENT_XML);
  });

  it('rejects a body without <Encrypt>', () => {
    expect(rejectionOf(() => sampleCrypto().openEvent({ msg_signature: 'a', timestamp: '1', nonce: '2' }, '<xml><A>1</A></xml>'))).toBe('malformed');
  });
});

describe('callback XML parsing', () => {
  it('refuses a DTD, so entities are never expanded', () => {
    const bomb = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]><xml><A>&b;</A></xml>';

    expect(() => parseCallbackXml(bomb)).toThrow(XmlRejectedError);
  });

  it('refuses a document over the size limit', () => {
    expect(() => parseCallbackXml(`<xml><A>${'x'.repeat(70_000)}</A></xml>`)).toThrow('XML larger than 65536 bytes');
  });

  it('refuses malformed XML with a clear error', () => {
    expect(() => parseCallbackXml('<xml><A>1</B></xml>')).toThrow(/malformed XML/);
  });

  it('keeps repeated elements as lists (MemChangeList items)', () => {
    const doc = parseCallbackXml('<xml><MemChangeList><Item>a</Item><Item>b</Item></MemChangeList></xml>');

    expect(doc.MemChangeList).toEqual({ Item: ['a', 'b'] });
  });
});

describe('JS-SDK signatures', () => {
  // The published WeChat/WeCom JS-SDK signature example: same algorithm, same fields.
  it('matches the published example vector', () => {
    const signed = signJsApi('sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg', 'http://mp.weixin.qq.com?params=value', {
      nonceStr: 'Wm3WZYTPz0wzccnW',
      timestamp: 1414587457,
    });

    expect(signed.signature).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });

  it('signs the URL without its fragment', () => {
    const options = { nonceStr: 'n', timestamp: 1 };

    expect(signJsApi('t', 'https://crm.example/sidebar?x=1#/card', options)).toEqual(signJsApi('t', 'https://crm.example/sidebar?x=1', options));
    expect(signableUrl('https://crm.example/a#b#c')).toBe('https://crm.example/a');
  });
});
