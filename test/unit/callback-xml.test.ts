/**
 * The callback XML's flat reading (server/wecom/xml.ts flatEnvelope) gives what the full parser
 * gives, and leaves to the parser whatever is not WeCom's flat shape.
 */
import { buildCallbackXml, parseCallbackXml, parseFully, XmlRejectedError } from '../../server/wecom/xml';

describe('callback XML', () => {
  const same = (text: string) => expect(parseCallbackXml(text)).toEqual(parseFully(text));

  it('reads a WeCom event as the parser does: CDATA fields, a bare number, whitespace between elements', () => {
    same(
      buildCallbackXml({
        ToUserName: 'ww-corp',
        FromUserName: 'sys',
        CreateTime: 1_760_000_000,
        MsgType: 'event',
        Event: 'change_external_contact',
        ChangeType: 'edit_external_contact',
        UserID: 'rep-east-1',
        ExternalUserID: 'wmABC',
      }),
    );
    same('<xml>\n  <ToUserName><![CDATA[ww-corp]]></ToUserName>\n  <CreateTime>1760000000</CreateTime>\n</xml>\n');
  });

  it('trims values and keeps markup, brackets and Chinese inside CDATA as the parser does', () => {
    for (const text of [
      '<xml><A><![CDATA[  带空格  ]]></A><B> 1 2 </B></xml>',
      '<xml><A><![CDATA[]]></A><B></B></xml>',
      '<xml><A><![CDATA[a<b>c</b>&amp;]]></A></xml>',
      '<xml><A><![CDATA[x]]]></A><B><![CDATA[]x]y]]></B></xml>',
      '<xml><A><![CDATA[\n多行\n内容]]></A></xml>',
    ])
      same(text);
  });

  it('leaves nested, repeated, self-closing and entity-bearing documents to the parser', () => {
    for (const text of [
      '<xml><MemChangeList><Item><![CDATA[u1]]></Item><Item><![CDATA[u2]]></Item></MemChangeList></xml>',
      '<xml><A><![CDATA[1]]></A><A><![CDATA[2]]></A></xml>',
      '<xml><A/><B>1</B></xml>',
      '<xml><A>a &amp; b</A></xml>',
    ])
      same(text);
    expect(parseCallbackXml('<xml><A><![CDATA[1]]></A><A><![CDATA[2]]></A></xml>')).toEqual({ A: ['1', '2'] });
  });

  it('still refuses a DTD, a body that is not <xml> and a __proto__ field', () => {
    expect(() => parseCallbackXml('<xml><__proto__>x</__proto__></xml>')).toThrow(XmlRejectedError);
    expect(() => parseCallbackXml('<!DOCTYPE x [<!ENTITY a "b">]><xml><A>&a;</A></xml>')).toThrow(XmlRejectedError);
    expect(() => parseCallbackXml('<other><A>1</A></other>')).toThrow(XmlRejectedError);
  });

  it('reads a hostile near-envelope of 64 KB in linear time', () => {
    const hostile = `<xml>${'<A><![CDATA[]]]]>'.repeat(3_500)}`;
    const started = performance.now();
    expect(() => parseCallbackXml(hostile)).toThrow(XmlRejectedError);
    expect(performance.now() - started).toBeLessThan(500);
  });
});
