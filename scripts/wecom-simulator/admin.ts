/**
 * `/admin/...`: the simulator's state API for demos and scripts (tests may also call the
 * library directly). Every change goes through CorpState, so it emits the same callback events
 * a change in the real WeCom admin console would.
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import type { WecomDepartment, WecomExternalContact, WecomGroupChat, WecomUser } from '../../server/wecom/types';
import type { SimulatedApi } from './api';
import type { EventSender } from './events';
import type { FaultInjector, FaultRule } from './faults';
import { SimulatorError, type CorpState, type SimFollow } from './state';

export function adminRouter(deps: { state: CorpState; api: SimulatedApi; events: EventSender; faults: FaultInjector }): Router {
  const { state, api, events, faults } = deps;
  const router = new Router({ prefix: '/admin' });

  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof SimulatorError)) throw err;
      ctx.status = 400;
      ctx.body = { errcode: err.errcode, errmsg: err.message };
    }
  });

  router.get('/state', (ctx) => {
    ctx.body = {
      corpId: api.settings.corpId,
      departments: state.departments.size,
      users: state.users.size,
      externalContacts: state.externalContacts.size,
      followRelations: [...state.externalContacts.values()].reduce((n, c) => n + c.follows.length, 0),
      groupChats: state.groupChats.size,
      callbackUrl: events.callbackUrl ?? null,
    };
  });

  router.get('/users', (ctx) => {
    ctx.body = { users: [...state.users.values()] };
  });
  router.post('/users', (ctx) => {
    ctx.body = state.createUser(input<WecomUser>(ctx));
  });
  router.patch('/users/:userid', (ctx) => {
    ctx.body = state.updateUser(ctx.params.userid!, input<Partial<WecomUser> & { newUserid?: string }>(ctx));
  });
  router.delete('/users/:userid', (ctx) => {
    state.deleteUser(ctx.params.userid!);
    ctx.status = 204;
  });

  router.post('/departments', (ctx) => {
    ctx.body = state.createDepartment(input<WecomDepartment>(ctx));
  });
  router.patch('/departments/:id', (ctx) => {
    ctx.body = state.updateDepartment(Number(ctx.params.id), input<Partial<WecomDepartment>>(ctx));
  });
  router.delete('/departments/:id', (ctx) => {
    state.deleteDepartment(Number(ctx.params.id));
    ctx.status = 204;
  });

  router.get('/external-contacts', (ctx) => {
    const userid = typeof ctx.query.userid === 'string' ? ctx.query.userid : undefined;
    const all = [...state.externalContacts.values()].filter((c) => c.follows.length > 0);
    ctx.body = {
      externalContacts: userid ? all.filter((c) => c.follows.some((f) => f.userid === userid)) : all,
    };
  });
  router.post('/external-contacts', (ctx) => {
    const { contact, follow } = input<{ contact: WecomExternalContact; follow: Partial<SimFollow> & { userid: string } }>(ctx);
    ctx.body = state.addExternalContact(contact, { tag_ids: [], remark: '', description: '', add_way: 1, ...follow });
  });
  router.patch('/external-contacts/:id/follows/:userid', (ctx) => {
    ctx.body = state.editFollow(ctx.params.id!, ctx.params.userid!, input<Partial<SimFollow>>(ctx));
  });
  router.delete('/external-contacts/:id/follows/:userid', (ctx) => {
    state.removeFollow(ctx.params.id!, ctx.params.userid!, ctx.query.by === 'customer' ? 'customer' : 'employee');
    ctx.status = 204;
  });

  // 客户继承 in flight, and a customer who taps 暂不添加 on one.
  router.get('/transfers', (ctx) => {
    api.transfers.settle();
    ctx.body = { transfers: api.transfers.transfers };
  });
  router.post('/transfers/:externalUserid/refuse', (ctx) => {
    ctx.body = api.transfers.refuse(ctx.params.externalUserid!);
  });

  router.post('/group-chats', (ctx) => {
    ctx.body = state.createGroupChat(input<WecomGroupChat>(ctx));
  });
  router.delete('/group-chats/:chatId', (ctx) => {
    state.dismissGroupChat(ctx.params.chatId!);
    ctx.status = 204;
  });

  router.get('/faults', (ctx) => {
    ctx.body = faults.list();
  });
  router.put('/faults/:api', (ctx) => {
    faults.set(decodeURIComponent(ctx.params.api!), input<FaultRule>(ctx));
    ctx.body = faults.list();
  });
  router.delete('/faults', (ctx) => {
    faults.clear();
    ctx.status = 204;
  });
  router.post('/tokens/invalidate', (ctx) => {
    api.invalidateTokens();
    ctx.status = 204;
  });

  router.put('/callback', async (ctx) => {
    const { url } = input<{ url: string }>(ctx);
    const check = await events.verifyUrl(url);
    if (check.ok) events.callbackUrl = url;
    ctx.status = check.ok ? 200 : 400;
    ctx.body = { ok: check.ok, answer: check.answer.slice(0, 200) };
  });
  router.get('/deliveries', (ctx) => {
    ctx.body = { deliveries: events.deliveries.slice(-200) };
  });
  // App messages, and every send_welcome_msg that delivered (with its welcome_code).
  router.get('/messages', (ctx) => {
    ctx.body = { messages: api.sentMessages, welcomeMessages: api.welcomeMessages };
  });
  // 渠道活码: the codes the app created, and a customer scanning one.
  router.get('/contact-ways', (ctx) => {
    ctx.body = { contactWays: [...api.contactWays.ways.values()] };
  });
  router.get('/contact-ways/:configId/qr.svg', async (ctx) => {
    ctx.type = 'image/svg+xml';
    ctx.body = await api.contactWays.qrSvg(ctx.params.configId!);
  });
  router.post('/contact-ways/:configId/scan', (ctx) => {
    ctx.body = api.contactWays.scan(ctx.params.configId!, input<{ contact: WecomExternalContact }>(ctx).contact);
  });
  router.get('/stats', (ctx) => {
    ctx.body = { calls: Object.fromEntries(api.calls), messages: api.sentMessages.length };
  });

  // 企业群发: the member confirms the task in the WeCom client (nothing is sent before, 92135).
  router.get('/mass-messages', (ctx) => {
    ctx.body = {
      messages: [...api.massMessages.messages.values()].map((m) => ({
        msgid: m.msgid,
        cancelled: m.cancelled,
        text: m.text,
        tasks: [...m.tasks.values()].map((t) => ({ userid: t.userid, status: t.status, recipients: [...t.recipients.keys()] })),
      })),
    };
  });
  router.post('/mass-messages/:msgid/confirm', (ctx) => {
    const { userid } = input<{ userid: string }>(ctx);
    const task = api.massMessages.confirm(ctx.params.msgid!, userid);
    ctx.body = { userid: task.userid, status: task.status, recipients: Object.fromEntries(task.recipients) };
  });

  return router;
}

function input<T>(ctx: Context): T {
  const body = (ctx.request as { body?: unknown }).body;
  if (!body || typeof body !== 'object') throw new SimulatorError(40058, 'a JSON body is required');
  return body as T;
}
