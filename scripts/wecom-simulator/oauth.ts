/**
 * The OAuth pages of the simulator: in-app authorize (open.weixin.qq.com) and desktop SSO
 * (login.work.weixin.qq.com). Instead of WeCom's silent redirect they list the corp's employees
 * to pick from; `&login_as=USERID` skips the page (for scripts and tests).
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { SimulatedApi } from './api';
import { OAUTH_STATE } from './rules';
import type { CorpState } from './state';

export function oauthRouter(state: CorpState, api: SimulatedApi): Router {
  const router = new Router();
  router.get('/connect/oauth2/authorize', (ctx) => authorize(ctx, state, api, 'in-app'));
  router.get('/wwlogin/sso/login', (ctx) => authorize(ctx, state, api, 'sso'));
  return router;
}

function authorize(ctx: Context, state: CorpState, api: SimulatedApi, flow: 'in-app' | 'sso'): void {
  const q = ctx.query as Record<string, string | undefined>;
  const redirect = parseRedirect(q.redirect_uri);
  if (q.appid !== api.settings.corpId) return errorPage(ctx, `appid 错误：${q.appid ?? '(缺失)'} 不是本企业的 CorpID`);
  if (!redirect) return errorPage(ctx, 'redirect_uri 缺失或不是 http(s) 地址');
  if (flow === 'in-app' && q.response_type !== 'code') return errorPage(ctx, 'response_type 必须为 code');
  if (q.agentid !== undefined && q.agentid !== api.settings.agentId) return errorPage(ctx, 'agentid 错误');
  // 96441: state 「可以填写a-zA-Z0-9的参数值，长度不可超过128个字节」.
  if (api.rules.era === 'current' && q.state !== undefined && !OAUTH_STATE.test(q.state)) {
    return errorPage(ctx, 'state 参数错误：只能包含 a-zA-Z0-9，长度不超过 128 个字节');
  }
  // snsapi_privateinfo needs the agentid (without it WeCom treats the request as snsapi_base).
  const scope = q.scope === 'snsapi_privateinfo' && q.agentid === undefined ? 'snsapi_base' : (q.scope ?? 'snsapi_base');

  if (q.login_as) {
    if (!state.users.has(q.login_as)) return errorPage(ctx, `成员 ${q.login_as} 不存在`);
    redirect.searchParams.set('code', api.issueCode(q.login_as, flow === 'sso' ? 'snsapi_base' : scope));
    if (q.state !== undefined) redirect.searchParams.set('state', q.state);
    ctx.redirect(redirect.toString());
    return;
  }
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = pickerPage(state, ctx.querystring, flow);
}

function parseRedirect(raw: string | undefined): URL | undefined {
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function errorPage(ctx: Context, message: string): void {
  ctx.status = 400;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = layout('登录失败', `<p class="error">${escapeHtml(message)}</p>`);
}

function pickerPage(state: CorpState, querystring: string, flow: 'in-app' | 'sso'): string {
  const base = new URLSearchParams(querystring);
  base.delete('login_as');
  const groups = [...state.departments.values()]
    .map((dept) => ({
      dept,
      members: [...state.users.values()].filter((u) => u.main_department === dept.id && u.status === 1),
    }))
    .filter((g) => g.members.length > 0)
    .slice(0, 50);
  const sections = groups
    .map(({ dept, members }) => {
      const items = members
        .slice(0, 100)
        .map((u) => {
          const params = new URLSearchParams(base);
          params.set('login_as', u.userid);
          return `<li><a href="?${escapeHtml(params.toString())}" data-userid="${escapeHtml(u.userid)}"><span class="name">${escapeHtml(u.name)}</span><span class="meta">${escapeHtml(u.position ?? '')} · ${escapeHtml(u.userid)}</span></a></li>`;
        })
        .join('');
      return `<h2>${escapeHtml(dept.name)}</h2><ul>${items}</ul>`;
    })
    .join('');
  const title = flow === 'sso' ? '扫码登录（模拟）' : '选择登录身份';
  return layout(title, `<p class="hint">企业微信模拟器：请选择以哪位成员的身份登录</p>${sections}`);
}

function layout(title: string, content: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} · 企业微信模拟器</title><style>
body{margin:0;font-family:-apple-system,'PingFang SC','Noto Sans CJK SC',sans-serif;background:#f2f3f5;color:#1f2329}
header{background:#0082ef;color:#fff;padding:16px;font-size:17px;font-weight:600}
.hint{margin:12px 16px;color:#646a73;font-size:13px}.error{margin:24px 16px;color:#d83931}
h2{margin:16px 16px 6px;font-size:13px;color:#8f959e;font-weight:normal}
ul{list-style:none;margin:0;padding:0;background:#fff}
li a{display:flex;justify-content:space-between;align-items:center;padding:14px 16px;border-bottom:1px solid #eff0f1;color:inherit;text-decoration:none}
.name{font-size:16px}.meta{font-size:12px;color:#8f959e}
</style></head><body><header>${escapeHtml(title)}</header>${content}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
