import { createHash } from 'node:crypto';
import type { FieldIssue } from '@shared/http';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { bodyOf, errorOf } from '../helpers/http';
import { loggedIn, type Browser } from '../helpers/session';

interface JssdkConfigBody {
  corpId: string;
  agentId: string;
  config: { timestamp: number; nonceStr: string; signature: string };
  agentConfig: { timestamp: number; nonceStr: string; signature: string };
}

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

describe.each(databaseTargets())('WeCom inside the app ($label)', (target) => {
  const { server } = useCrmServer(target);
  let rep: Browser;
  beforeAll(async () => {
    rep = await loggedIn(server, 'rep-east-1');
  });

  it('serves the simulator at /__wecom on the app port', async () => {
    const res = await fetch(`${server.baseUrl}/__wecom/admin/state`);

    expect(res.status).toBe(200);
    expect(await bodyOf(res)).toMatchObject({ corpId: server.config.wecom.corpId });
  });

  it('talks to the mounted simulator with the configured credentials', async () => {
    const user = await server.wecom.getUser('rep-east-1', 'agent');

    expect(user.name).toBe('李娜');
  });

  describe('GET /api/wecom/jssdk-config', () => {
    it('signs both configs for the page URL without its fragment', async () => {
      const page = `${server.baseUrl}/sidebar?entry=chat#/card`;

      const res = await rep.fetch(`/api/wecom/jssdk-config?url=${encodeURIComponent(page)}`);
      const body = await bodyOf<JssdkConfigBody>(res);
      const [jsapiTicket, agentTicket] = [await server.wecom.getJsapiTicket(), await server.wecom.getAgentTicket()];
      const expected = (ticket: string, s: JssdkConfigBody['config']) =>
        sha1(`jsapi_ticket=${ticket}&noncestr=${s.nonceStr}&timestamp=${s.timestamp}&url=${server.baseUrl}/sidebar?entry=chat`);

      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(body.corpId).toBe(server.config.wecom.corpId);
      expect(body.agentId).toBe(server.config.wecom.agentId);
      expect(body.config.signature).toBe(expected(jsapiTicket, body.config));
      expect(body.agentConfig.signature).toBe(expected(agentTicket, body.agentConfig));
    });

    it('refuses to sign a page of another origin', async () => {
      const res = await rep.fetch(`/api/wecom/jssdk-config?url=${encodeURIComponent('https://evil.example/x')}`);
      const error = await errorOf(res);

      expect(res.status).toBe(400);
      expect((error.details as FieldIssue[])[0]!.field).toBe('url');
    });

    it('requires the url parameter', async () => {
      const res = await rep.fetch(`/api/wecom/jssdk-config`);

      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe('validation_failed');
    });
  });
});
