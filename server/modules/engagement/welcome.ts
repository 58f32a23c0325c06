/**
 * Welcome messages (92599 发送新客户欢迎语). A template per scope — the corp, a department, a rep, a
 * 渠道活码 — the most specific one wins: the code the customer scanned, then the rep, then the
 * rep's departments from their own up, then the corp's.
 *
 * The WelcomeCode of an add event lives 20 s and works once, so the welcome goes out on a fast
 * path at ingest (`WelcomeSender`, called by the callback endpoint once the event is stored):
 * before the inbox queue, before any slow WeCom read or matching. Only the customer's name is
 * read, from the mirror or with a 1.2 s budget; without it the placeholder stays empty. One row
 * per WelcomeCode (unique) makes the welcome go out once across WeCom's repeated deliveries.
 */
// Raw SQL on other modules' tables, on purpose: the template scopes read the department tree and the sends
// list joins the mirror's contact names, each in one statement for the page.
import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CallbackEventType, ChangeTypeOf } from '@shared/events';
import type { WelcomeAttachment, WelcomeScope, WelcomeTemplateInput, WelcomeTemplateView, WelcomeSendView, WelcomeSendStatus } from '@shared/engagement';
import { WELCOME_SCOPE_LABELS, renderWelcome } from '@shared/engagement';
import { insertIgnoringDuplicates } from '../../db/dialect';
import { iso, namesById } from '../../db/lookup';
import { invalidField, notFound } from '../../errors';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError, WecomTransportError } from '../../wecom/errors';
import type { WelcomeAttachment as WecomAttachment } from '../../wecom/types';
import { xmlText, type XmlObject } from '../../wecom/xml';
import { audit, type Actor } from '../audit/service';
import { engagementModels, type WelcomeTemplateRow } from './models';
import { wecomMediaId } from './media';
import { crmAddressOf } from './quick-replies';
import { employeeByWecomId } from '../org/reads';

const scopeKey = (scope: string, id: number | null | undefined) => (scope === 'corp' ? 'corp' : `${scope}:${id}`);

// ---- templates ---------------------------------------------------------------------------------

export async function listTemplates(sequelize: Sequelize): Promise<WelcomeTemplateView[]> {
  const rows = (await engagementModels(sequelize).WelcomeTemplate.findAll({ order: [['id', 'ASC']] })).map((r) => r.get());
  return templateViews(sequelize, rows);
}

async function templateViews(sequelize: Sequelize, rows: WelcomeTemplateRow[], transaction?: Transaction): Promise<WelcomeTemplateView[]> {
  const ids = (scope: string) => rows.filter((r) => r.scope === scope).map((r) => r.scope_id);
  const [departments, users, ways] = await Promise.all([
    namesById(sequelize, 'departments', ids('department'), transaction),
    namesById(sequelize, 'users', ids('user'), transaction),
    engagementModels(sequelize).ContactWay.findAll({ where: { id: { [Op.in]: ids('contact_way').filter((x): x is number => x !== null) } }, transaction }),
  ]);
  const wayNames = new Map(ways.map((w) => [w.get().id, w.get().name]));
  const nameOf = (r: WelcomeTemplateRow) =>
    r.scope === 'corp'
      ? WELCOME_SCOPE_LABELS.corp
      : ((r.scope === 'department' ? departments : r.scope === 'user' ? users : wayNames).get(r.scope_id!) ?? `${WELCOME_SCOPE_LABELS[r.scope]} ${r.scope_id}`);
  return rows.map((r) => ({
    id: r.id,
    scope: r.scope,
    scopeId: r.scope_id,
    scopeName: nameOf(r),
    text: r.text,
    attachment: r.attachment ? (JSON.parse(r.attachment) as WelcomeAttachment) : null,
    enabled: Boolean(r.enabled),
    updatedAt: iso(r.updated_at),
  }));
}

/** Creates or replaces the template of a scope (one per scope: the schema's unique `scope_key`). */
export async function saveTemplate(sequelize: Sequelize, actor: Actor, input: WelcomeTemplateInput, transaction?: Transaction): Promise<WelcomeTemplateView> {
  const { WelcomeTemplate, MediaFile } = engagementModels(sequelize);
  const key = scopeKey(input.scope, input.scopeId);
  const values = {
    scope: input.scope,
    scope_id: input.scopeId ?? null,
    scope_key: key,
    text: input.text,
    attachment: input.attachment ? JSON.stringify(input.attachment) : null,
    enabled: input.enabled,
    updated_by: actor.userId,
  };
  const saved = await within(sequelize, transaction, async (t): Promise<WelcomeTemplateView> => {
    await requireScopeTarget(sequelize, input.scope, input.scopeId, t);
    if (input.attachment && input.attachment.type !== 'link' && !(await MediaFile.findByPk(input.attachment.mediaFileId, { transaction: t }))) {
      throw invalidField('attachment', '图片不存在，请重新上传');
    }
    const existing = await WelcomeTemplate.findOne({ where: { scope_key: key }, transaction: t });
    const row = existing ? await existing.update(values, { transaction: t }) : await WelcomeTemplate.create(values, { transaction: t });
    // The scope by its Chinese name (「渠道活码「12月财富沙龙」」), never its key (`contact_way:2`).
    const [view] = await templateViews(sequelize, [row.get()], t);
    const scope = input.scope === 'corp' ? WELCOME_SCOPE_LABELS.corp : `${WELCOME_SCOPE_LABELS[input.scope]}「${view!.scopeName}」`;
    await audit(
      sequelize,
      actor,
      { action: 'welcome.save', entity: 'welcome_template', entityId: row.get().id, summary: `保存欢迎语：${scope}` },
      { transaction: t },
    );
    return view!;
  });
  return saved;
}

export async function deleteTemplate(sequelize: Sequelize, actor: Actor, id: number): Promise<void> {
  const { WelcomeTemplate } = engagementModels(sequelize);
  await sequelize.transaction(async (transaction) => {
    const removed = await WelcomeTemplate.destroy({ where: { id }, transaction });
    if (!removed) throw notFound('欢迎语不存在');
    await audit(sequelize, actor, { action: 'welcome.delete', entity: 'welcome_template', entityId: id, summary: '删除欢迎语' }, { transaction });
  });
}

/** The template of a department, member or code that is going away (a deleted 渠道活码). */
export async function deleteTemplateOf(sequelize: Sequelize, scope: WelcomeScope, id: number, transaction: Transaction): Promise<void> {
  await engagementModels(sequelize).WelcomeTemplate.destroy({ where: { scope_key: scopeKey(scope, id) }, transaction });
}

/** Runs `work` in the caller's transaction, or in a new one. */
const within = <T>(sequelize: Sequelize, transaction: Transaction | undefined, work: (t: Transaction) => Promise<T>): Promise<T> =>
  transaction ? work(transaction) : sequelize.transaction(work);

async function requireScopeTarget(sequelize: Sequelize, scope: string, id: number | undefined, transaction: Transaction): Promise<void> {
  if (scope === 'corp') return;
  const table = scope === 'department' ? 'departments' : scope === 'user' ? 'users' : 'contact_ways';
  const [row] = await sequelize.query(`SELECT 1 AS x FROM ${table} WHERE id = ?`, { replacements: [id], type: QueryTypes.SELECT, transaction });
  if (!row) throw invalidField('scopeId', '适用的部门、成员或渠道活码不存在');
}

/** The template for a new contact of `userid` who came through `state`: the most specific enabled one. */
export async function templateFor(sequelize: Sequelize, userid: string, state: string | null): Promise<WelcomeTemplateRow | null> {
  const user = await employeeByWecomId(sequelize, userid);
  const keys: string[] = [];
  if (state) {
    const way = (await engagementModels(sequelize).ContactWay.findOne({ where: { state, deleted_at: null } }))?.get();
    if (way) keys.push(scopeKey('contact_way', way.id));
  }
  if (user) {
    keys.push(scopeKey('user', Number(user.id)));
    for (const d of await departmentChain(sequelize, user.main_department_id === null ? null : Number(user.main_department_id)))
      keys.push(scopeKey('department', d));
  }
  keys.push('corp');
  const rows = (await engagementModels(sequelize).WelcomeTemplate.findAll({ where: { scope_key: { [Op.in]: keys }, enabled: true } })).map((r) => r.get());
  return keys.map((k) => rows.find((r) => r.scope_key === k)).find((r) => r !== undefined) ?? null;
}

/** A department and its ancestors, nearest first. */
async function departmentChain(sequelize: Sequelize, departmentId: number | null): Promise<number[]> {
  if (departmentId === null) return [];
  const all = await sequelize.query<{ id: number; parent_id: number | null }>('SELECT id, parent_id FROM departments WHERE deleted_at IS NULL', {
    type: QueryTypes.SELECT,
  });
  const parent = new Map(all.map((d) => [Number(d.id), d.parent_id === null ? null : Number(d.parent_id)]));
  const chain: number[] = [];
  for (let d: number | null | undefined = departmentId; d && !chain.includes(d); d = parent.get(d)) chain.push(d);
  return chain;
}

export async function recentSends(sequelize: Sequelize, limit = 50): Promise<WelcomeSendView[]> {
  const rows = await sequelize.query<{
    id: number;
    contact: string | null;
    external_userid: string;
    rep: string | null;
    userid: string;
    status: WelcomeSendStatus;
    detail: string | null;
    latency_ms: number | null;
    created_at: Date | string;
  }>(
    `SELECT s.id, x.name AS contact, s.external_userid, u.name AS rep, s.userid, s.status, s.detail, s.latency_ms, s.created_at
       FROM welcome_sends s
       LEFT JOIN wecom_external_contacts x ON x.external_userid = s.external_userid
       LEFT JOIN users u ON u.wecom_userid = s.userid
      ORDER BY s.id DESC LIMIT ?`,
    { replacements: [limit], type: QueryTypes.SELECT },
  );
  return rows.map((r) => ({
    id: Number(r.id),
    contactName: r.contact ?? r.external_userid,
    rep: r.rep ?? r.userid,
    status: r.status,
    detail: r.detail,
    latencyMs: r.latency_ms === null ? null : Number(r.latency_ms),
    createdAt: iso(r.created_at),
  }));
}

// ---- the fast path -----------------------------------------------------------------------------

/** The callbacks that carry a WelcomeCode: a contact added (or half-added, awaiting the employee). */
const WELCOMED_CHANGES: readonly string[] = ['add_external_contact', 'add_half_external_contact'] satisfies ChangeTypeOf<'change_external_contact'>[];

/**
 * 92599 发送新客户欢迎语 (developer.work.weixin.qq.com/document/path/92599): 「企业仅可在收到相关事件后
 * 20秒内调用，且只可调用一次」 — we stop trying a little before the 20 s are over.
 */
const WELCOME_WINDOW_MS = 18_000;
/** One attempt waits this long at most, so a lost answer leaves time for another within the window. */
const SEND_BUDGET_MS = 6_000;
/** A try with less time than this left would not get an answer before the code expires. */
const LAST_TRY_MS = 1_000;
/**
 * 92599: 「如果欢迎语已成功下发给客户，应用再调用该接口时，将返回41051」 — delivered, do not retry;
 * 「返回41096错误码表示当前已有其他应用正在发送欢迎语 … 调用方可以重试」.
 */
const ALREADY_WELCOMED = 41051;
const BEING_DISTRIBUTED = 41096;
/** Pause before another try: 41096 waits for the other app's send, a transient failure barely. */
const DISTRIBUTING_PAUSE_MS = 1_000;
const TRANSIENT_PAUSE_MS = 300;

export class WelcomeSender {
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly deps: { sequelize: Sequelize; wecom: WecomClient; logger: Logger; now?: () => number }) {}

  /** Starts the welcome for a stored event without holding up WeCom's answer. */
  start(event: XmlObject, receivedAt: number): void {
    const task = this.handle(event, receivedAt).finally(() => this.inFlight.delete(task));
    this.inFlight.add(task);
  }

  /** Resolves when the welcomes started so far have ended (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private get now(): number {
    return (this.deps.now ?? Date.now)();
  }

  /** Called with each event the callback endpoint stored. Never throws: a welcome is best effort. */
  async handle(event: XmlObject, receivedAt: number): Promise<void> {
    const code = xmlText(event, 'WelcomeCode');
    const change = xmlText(event, 'ChangeType');
    if (!code || xmlText(event, 'Event') !== ('change_external_contact' satisfies CallbackEventType) || !WELCOMED_CHANGES.includes(change ?? '')) return;
    const externalUserid = xmlText(event, 'ExternalUserID') ?? '';
    const userid = xmlText(event, 'UserID') ?? '';
    try {
      await this.welcome(code, externalUserid, userid, xmlText(event, 'State') ?? null, receivedAt);
    } catch (err) {
      this.deps.logger.warn({ err, externalUserid, userid }, 'welcome message not sent');
      await this.finish(code, 'failed', receivedAt, { detail: (err as Error).message.slice(0, 255) }).catch(() => undefined);
    }
  }

  private async welcome(code: string, externalUserid: string, userid: string, state: string | null, receivedAt: number): Promise<void> {
    const { sequelize } = this.deps;
    // One row per WelcomeCode: a repeated delivery of the same add finds it and stops here.
    const claimed = await insertIgnoringDuplicates(sequelize, 'welcome_sends', {
      welcome_code: code,
      external_userid: externalUserid,
      userid,
      status: 'sending',
      created_at: new Date(receivedAt),
      updated_at: new Date(receivedAt),
    });
    if (claimed !== 1) return;
    const template = await templateFor(sequelize, userid, state);
    if (!template) return this.finish(code, 'skipped', receivedAt, { detail: '没有适用的欢迎语' });
    const [names, attachments] = await Promise.all([this.names(externalUserid, userid), this.attachments(template)]);
    const request = { welcome_code: code, text: { content: renderWelcome(template.text, names) }, ...(attachments.length ? { attachments } : {}) };
    // Tried again within the 20 s while a try may still succeed: a lost answer (timeout, 5xx), -1,
    // 45033 or 41096. After a try of ours, 41051 means the welcome was delivered — by that try.
    for (let attempt = 0; ; attempt++) {
      const left = WELCOME_WINDOW_MS - (this.now - receivedAt);
      if (left < LAST_TRY_MS) return this.finish(code, 'skipped', receivedAt, { templateId: template.id, detail: '已超过 20 秒，欢迎语码失效' });
      try {
        await this.deps.wecom.hurried(Math.min(SEND_BUDGET_MS, left)).sendWelcomeMessage(request);
        return this.finish(code, 'sent', receivedAt, { templateId: template.id });
      } catch (err) {
        if (err instanceof WecomApiError && err.errcode === ALREADY_WELCOMED) {
          if (attempt > 0) return this.finish(code, 'sent', receivedAt, { templateId: template.id, detail: '首次发送未获应答，重试时企业微信确认已送达' });
          return this.finish(code, 'skipped', receivedAt, { templateId: template.id, errcode: err.errcode, detail: '客户已收到欢迎语或已开始聊天' });
        }
        const distributing = err instanceof WecomApiError && err.errcode === BEING_DISTRIBUTED;
        const transient = err instanceof WecomTransportError || (err instanceof WecomApiError && err.action === 'retry');
        const pause = distributing ? DISTRIBUTING_PAUSE_MS : TRANSIENT_PAUSE_MS;
        if ((distributing || transient) && WELCOME_WINDOW_MS - (this.now - receivedAt) - pause >= LAST_TRY_MS) {
          this.deps.logger.warn({ err, attempt: attempt + 1 }, 'welcome message not confirmed, trying again');
          await new Promise((r) => setTimeout(r, pause));
          continue;
        }
        if (err instanceof WecomTransportError)
          return this.finish(code, 'failed', receivedAt, { templateId: template.id, detail: '企业微信未应答，20 秒内未能确认是否送达' });
        if (!(err instanceof WecomApiError)) throw err;
        return this.finish(code, 'failed', receivedAt, { templateId: template.id, errcode: err.errcode, detail: err.message.slice(0, 255) });
      }
    }
  }

  /** The customer's name from the mirror, else one quick `externalcontact/get`; the rep's from the org. */
  /**
   * `{客户称呼}` is the CRM's address for the customer (shared/greeting.ts) — a contact already linked
   * to a customer (a re-add) gets 张先生; a new one, not linked yet, gets nothing (「您好」), never
   * the WeChat nickname.
   */
  private async names(externalUserid: string, userid: string): Promise<{ customer: string | null; rep: string }> {
    const { sequelize } = this.deps;
    const [customer, rep] = await Promise.all([crmAddressOf(sequelize, externalUserid), employeeByWecomId(sequelize, userid)]);
    return { customer, rep: rep?.name ?? '' };
  }

  private async attachments(template: WelcomeTemplateRow): Promise<WecomAttachment[]> {
    if (!template.attachment) return [];
    const a = JSON.parse(template.attachment) as WelcomeAttachment;
    if (a.type === 'link') return [{ msgtype: 'link', link: { title: a.title, url: a.url, desc: a.desc, picurl: a.picUrl } }];
    const mediaId = await wecomMediaId(this.deps.sequelize, this.deps.wecom.hurried(SEND_BUDGET_MS), a.mediaFileId);
    if (a.type === 'image') return [{ msgtype: 'image', image: { media_id: mediaId } }];
    return [{ msgtype: 'miniprogram', miniprogram: { title: a.title, appid: a.appid, page: a.page, pic_media_id: mediaId } }];
  }

  private async finish(
    code: string,
    status: WelcomeSendStatus,
    receivedAt: number,
    more: { templateId?: number; errcode?: number; detail?: string } = {},
  ): Promise<void> {
    await engagementModels(this.deps.sequelize).WelcomeSend.update(
      { status, template_id: more.templateId ?? null, errcode: more.errcode ?? null, detail: more.detail ?? null, latency_ms: this.now - receivedAt },
      { where: { welcome_code: code } },
    );
  }
}
