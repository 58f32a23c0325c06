/**
 * The sidebar card as HTML, from the boot answer (SidebarBoot), before any framework has loaded.
 *
 * Why a client-side renderer and not server-rendered HTML: inside WeCom the contact is known only
 * after the JS-SDK answers in the page, so the server never has it when it serves sidebar.html; the
 * boot JSON is already the card's view model, scoped and checked by the server, and rendering it
 * here keeps one source of truth (the same shared formatting and label tables the Vue components
 * import). The markup mirrors the Vue components' (Vant's class names, the same order and texts)
 * so the takeover shows the same card. Every value from the server is escaped (`esc`).
 *
 * Painted: a linked contact (the full card), a customer outside the caller's scope (limited), an
 * unlinked contact (the matching panel's head), and the card's error. A group chat, or no contact
 * known yet, keeps the skeleton until the app paints.
 */
import type { DictionariesResponse, DictionaryType } from '@shared/dictionaries';
import type { FollowUpView } from '@shared/customers';
import { dateText, initialOf, moneyText } from '@shared/format';
import { nextStepText } from '@shared/follow-up-rules';
import { MATCHED_BY, POOL_ENTRY_KINDS, SUGGESTION_REASONS } from '@shared/labels';
import type { MeResponse, Permission } from '@shared/permissions';
import { riskProfileText } from '@shared/risk-profile';
import type { SidebarBoot, SidebarCard, SidebarContact, SidebarCustomer } from '@shared/sidebar';
import { businessDate } from '@shared/time';
import { dueBadge } from '@/components/business/due';
import { cardErrorText, transferColors, transferText } from '@/components/sidebar/card-texts';
import { ICONS, type IconName } from './icons';

type Full = Extract<SidebarCustomer, { access: 'full' }>;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** Text and attribute values from the server, made inert. */
export const esc = (value: unknown): string => String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);

interface Context {
  me: MeResponse;
  dictionaries: DictionariesResponse;
  /** The build has the dev shim (its bar sits above the card). */
  shim: boolean;
}

const icon = (name: IconName, cls = '') => `<i class="svg-icon ${cls}">${ICONS[name]}</i>`;
const can = (ctx: Context, p: Permission) => ctx.me.permissions.includes(p);
const label = (ctx: Context, type: DictionaryType, code: string | null | undefined) =>
  (code && ctx.dictionaries[type]?.find((v) => v.code === code)?.label) || code || '';
const tone = (n: number) => (n > 0 ? 'up' : n < 0 ? 'down' : '');

function cell(title: string, value: string, options: { label?: string; titleClass?: string; valueClass?: string; link?: boolean } = {}): string {
  return `<div class="van-cell${options.link ? ' van-cell--clickable' : ''}"><div class="van-cell__title${options.titleClass ? ` ${options.titleClass}` : ''}"><span>${title}</span>${
    options.label !== undefined ? `<div class="van-cell__label">${options.label}</div>` : ''
  }</div>${value ? `<div class="van-cell__value${options.valueClass ? ` ${options.valueClass}` : ''}">${value}</div>` : ''}${
    options.link ? icon('arrow', 'van-cell__right-icon') : ''
  }</div>`;
}

const group = (body: string, title?: string) =>
  `${title !== undefined ? `<div class="van-cell-group__title van-cell-group__title--inset">${title}</div>` : ''}<div class="van-cell-group van-cell-group--inset block">${body}</div>`;

const tag = (text: string, cls: string, style = '') => `<span class="van-tag ${cls}"${style ? ` style="${style}"` : ''}>${esc(text)}</span>`;

/** ShimBar.vue's bar (dev builds only): the same height, so the card does not move when it mounts. */
function shimBar(): string {
  return `<div class="fp-shim"><span class="fp-shim-label">模拟会话</span><div class="fp-shim-menus"><span><b>当前联系人</b></span><span><b>选择客户群</b></span></div></div>`;
}

/** ContactHeader.vue. */
function contactHeader(c: SidebarContact): string {
  const sub = [
    c.remark && c.remark !== c.name ? `<span>昵称 ${esc(c.name)} · </span>` : '',
    c.corpName ? `<span>${esc(c.corpName)} · </span>` : '',
    c.addedAt ? `<span>${esc(dateText(c.addedAt))}添加</span>` : '',
    c.addWay ? `<span>（${esc(c.addWay)}）</span>` : '',
  ].join('');
  const avatar = c.avatar
    ? `<img class="van-image__img" src="${esc(c.avatar)}" alt="">`
    : `<div class="van-image__loading"><span class="fp-initial">${esc(initialOf(c.name))}</span></div>`;
  return `<div class="fp-contact chat-head"><div class="van-image van-image--round fp-avatar" style="width:48px;height:48px">${avatar}</div><div class="fp-who"><div class="fp-name chat-head-name">${esc(
    c.remark || c.name,
  )} ${tag(c.type === 'wecom' ? '企业微信' : '微信', `van-tag--plain ${c.type === 'wecom' ? 'van-tag--primary' : 'van-tag--success'}`)}</div><div class="chat-head-sub">${sub}</div>${
    c.channel ? `<div class="fp-channel">${icon('qr')} 来自渠道活码「${esc(c.channel)}」</div>` : ''
  }${
    c.tags.length ? `<div class="fp-tags">${c.tags.map((t) => tag(t, 'van-tag--default', 'color:#646566;background:#f2f3f5')).join('')}</div>` : ''
  }</div></div>${c.lost ? notice('该联系人已不在你的企业微信好友中（已删除或被删除）', 'warning-o', { color: '#ee0a24', background: '#fff1f0' }, false) : ''}`;
}

function notice(text: string, name: IconName, colors: { color: string; background: string }, wrapable: boolean): string {
  return `<div role="alert" class="van-notice-bar${wrapable ? ' van-notice-bar--wrapable' : ''}" style="color:${colors.color};background:${colors.background}">${icon(
    name,
    'van-notice-bar__left-icon',
  )}<div role="marquee" class="van-notice-bar__wrap"><div class="van-notice-bar__content${wrapable ? '' : ' van-ellipsis'}">${esc(text)}</div></div></div>`;
}

/** SidebarActions.vue: the buttons show; they act once the app has taken over. */
function actions(ctx: Context, card: SidebarCard): string {
  const full = card.customer?.access === 'full' ? card.customer.profile : null;
  const phone = (full?.sensitiveMasked ? null : full?.phone) || card.contact.remarkMobiles[0] || null;
  const follower = card.viewer === 'follower' && !card.contact.lost;
  const action = (name: IconName, text: string) => `<span class="card-action">${icon(name, 'card-action-icon')}${text}</span>`;
  const items = [
    phone ? action('phone-o', '拨打电话') : '',
    full ? action('user-circle-o', '客户详情') : '',
    follower ? action('label-o', '标签') : '',
    follower ? action('chat-o', '话术') : '',
    full && can(ctx, 'customer.risk') ? action('records-o', '风险测评') : '',
  ].join('');
  return items ? `<div class="card-actions">${items}</div>` : '';
}

/** PoolActions.vue, as it paints from the card's `pool`. */
function poolBar(ctx: Context, card: SidebarCard): string {
  const customer = card.customer;
  if (!customer || !(card.pool || customer.access === 'full')) return '';
  const ownerId = customer.access === 'full' ? customer.profile.owner.id : customer.owner.id;
  const status = card.pool;
  let body = '';
  if (status) {
    body = `<div class="card-pool">${tag('公海', 'van-tag--medium van-tag--warning')}<span class="card-pool-text">${esc(status.pool.name)} · ${esc(POOL_ENTRY_KINDS[status.kind])}${
      status.reason ? `：${esc(status.reason)}` : ''
    } · ${esc(dateText(status.enteredAt))}</span>${status.canClaim ? '<span class="van-button van-button--primary van-button--mini"><span class="van-button__text">领取</span></span>' : ''}</div>`;
  } else if (status === null || status === undefined) {
    const mayRelease = can(ctx, 'customer.write') && (ctx.me.user.id === ownerId || can(ctx, 'customer.transfer'));
    if (mayRelease) body = `<div class="card-pool"><span class="fp-link">释放到公海</span></div>`;
  }
  return `<div class="fp-pool-bar">${body}</div>`;
}

/** FollowUpCells.vue. */
function followUps(ctx: Context, list: FollowUpView[]): string {
  if (!list.length) return cell('还没有跟进记录', '');
  return list
    .map((f) => {
      const next = nextStepText(f);
      const line = `${esc(dateText(f.followedAt))} · ${esc(f.user.name)} · ${esc(label(ctx, 'follow_up_channel', f.channel))}${f.outcome ? ` · ${esc(f.outcome)}` : ''}${
        f.editedAt ? '<span class="fp-edited"> · 已修改</span>' : ''
      }`;
      return cell(esc(f.content), '', {
        titleClass: 'fp-follow-up-text',
        label: `<div>${line}</div>${next ? `<div class="fp-next-step">${esc(next)}</div>` : ''}`,
      });
    })
    .join('');
}

/** CustomerCard.vue. */
function customerCard(ctx: Context, customer: Full, matchedBy: SidebarCard['link']): string {
  const p = customer.profile;
  const risk = riskProfileText(p, businessDate(new Date()));
  const due = dueBadge(p.nextFollowUpAt);
  const dueHtml =
    due.kind === 'overdue'
      ? tag(due.text, 'van-tag--danger fp-due')
      : due.kind === 'today'
        ? tag(due.text, 'van-tag--plain van-tag--warning fp-due')
        : `<span class="fp-due fp-later">${esc(due.text)}</span>`;
  const writer = can(ctx, 'customer.write');
  const stage = tag(label(ctx, 'lifecycle_stage', p.lifecycleStage), 'van-tag--medium van-tag--primary');
  const level = p.level ? tag(label(ctx, 'customer_level', p.level), 'van-tag--medium van-tag--warning fp-gap') : '';
  const gain = Math.round(customer.holdings.reduce((sum, h) => sum + (h.amount - h.cost) * 100, 0)) / 100;
  const head = [
    cell(esc(p.name), stage + level, { titleClass: 'fp-customer-name', label: p.institution ? esc(p.institution) : undefined }),
    cell('负责人', `<span>${esc(p.owner.name)}</span>`),
    p.phone
      ? cell(
          '手机',
          p.sensitiveMasked
            ? `<span class="nowrap">${esc(p.phone)}<span class="van-button van-button--mini van-button--plain van-button--primary fp-reveal"><div class="van-button__content"><span class="van-button__text">查看</span></div></span></span>`
            : `<span class="fp-phone">${icon('phone-o', 'fp-phone-icon')}${esc(p.phone)}</span>`,
        )
      : '',
    cell('风险等级', `<span class="fp-risk-${risk.tone}">${esc(risk.text)}</span>`),
    cell('下次跟进', dueHtml, { link: writer }),
    matchedBy ? cell('关联方式', `<span>${esc(MATCHED_BY[matchedBy.matchedBy])}</span>`) : '',
    writer
      ? `<div class="card-buttons"><span class="van-button van-button--primary van-button--small"><div class="van-button__content"><div class="van-button__icon">${icon('edit')}</div><span class="van-button__text">写跟进</span></div></span><span class="van-button van-button--primary van-button--small van-button--plain"><div class="van-button__content"><span class="van-button__text">改阶段</span></div></span></div>`
      : '',
  ].join('');
  const holdingsTitle = `<span>持仓市值 · ${esc(moneyText(customer.holdingsTotal))}</span>${
    customer.holdings.length ? `<span class="fp-gain ${tone(gain)}">浮动盈亏 ${esc(moneyText(gain, true))}</span>` : ''
  }`;
  const holdings = customer.holdings.length
    ? customer.holdings
        .map((h) =>
          cell(
            esc(h.productName),
            `<div class="nowrap">市值 ${esc(moneyText(h.amount))}</div><div class="nowrap fp-small ${tone(h.amount - h.cost)}">${esc(moneyText(h.amount - h.cost, true))}</div>`,
            { label: `${esc(label(ctx, 'product_category', h.category))} · 成本 ${esc(moneyText(h.cost))}`, valueClass: 'fp-holding-value' },
          ),
        )
        .join('')
    : cell('暂无持仓', '');
  // 商机 (OpportunitiesPanel.vue) loads its list with the app; its title and button paint now.
  const newOpportunity = writer
    ? `<div class="toolbar fp-opportunities-toolbar"><span class="van-button van-button--primary van-button--small"><div class="van-button__content"><div class="van-button__icon">${icon('plus')}</div><span class="van-button__text">新建商机</span></div></span></div>`
    : '';
  return `<div data-testid="first-paint-card">${group(head)}${group(holdings, holdingsTitle)}${group(followUps(ctx, customer.latestFollowUps), '最近跟进')}</div><div class="fp-opportunities"><div class="van-cell-group__title">商机</div>${newOpportunity}</div>`;
}

/** LimitedCard.vue. */
function limitedCard(ctx: Context, card: SidebarCard, customer: Extract<SidebarCustomer, { access: 'limited' }>): string {
  return group(
    cell(esc(customer.name), `<span>${esc(label(ctx, 'lifecycle_stage', customer.lifecycleStage))}</span>`) +
      cell('负责人', `<span>${esc(customer.owner.name)}</span>`, { label: '该客户不在你的数据范围内，仅显示概况' }) +
      (card.coFollowUp
        ? `<div class="card-buttons"><span class="van-button van-button--primary van-button--small van-button--plain"><div class="van-button__content"><div class="van-button__icon">${icon('edit')}</div><span class="van-button__text">写协同跟进</span></div></span></div>`
        : ''),
  );
}

/** MatchPanel.vue's head: why it is not linked and who it may be (search and 新建 come with the app). */
function matchPanel(ctx: Context, card: SidebarCard): string {
  const reasons = card.unmatchedReasons.length ? `<ul class="card-reasons">${card.unmatchedReasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '';
  const suggestions = card.suggestions
    .map((s) =>
      cell(esc(s.customer.name), '', {
        label: `${esc(SUGGESTION_REASONS[s.reason])} · ${esc(s.customer.owner.name)}负责 · ${esc(label(ctx, 'lifecycle_stage', s.customer.lifecycleStage))}`,
      }),
    )
    .join('');
  return group(reasons + suggestions, '尚未关联客户');
}

/** The card of a contact, as SidebarPage.vue lays it out. */
export function renderCard(ctx: Context, card: SidebarCard): string {
  const customer = card.customer;
  const body =
    customer?.access === 'full'
      ? customerCard(ctx, customer, card.link)
      : customer?.access === 'limited'
        ? limitedCard(ctx, card, customer)
        : matchPanel(ctx, card);
  return `${ctx.shim ? shimBar() : ''}${contactHeader(card.contact)}${actions(ctx, card)}${
    card.transfer ? notice(transferText(card.transfer), 'exchange', transferColors(card.transfer), true) : ''
  }${poolBar(ctx, card)}${body}`;
}

/** The card's refusal (403, 404…), worded as the app words it. */
export function renderError(shim: boolean, status: number, message: string): string {
  const text = cardErrorText(status, message);
  return `${shim ? shimBar() : ''}<div class="van-empty" data-testid="first-paint-error"><div class="van-empty__image fp-empty-image"></div><p class="van-empty__description">${esc(
    text.message,
  )}</p>${
    text.retry
      ? '<div class="van-empty__bottom"><span class="van-button van-button--primary van-button--small van-button--round"><div class="van-button__content"><span class="van-button__text">重试</span></div></span></div>'
      : ''
  }</div>`;
}

/** What the boot answer paints for `contact`: HTML, or null when only the app can (no card in the answer). */
export function renderBoot(boot: SidebarBoot, shim: boolean): string | null {
  const part = boot.card;
  if (!part) return null;
  if (!part.ok) return renderError(shim, part.status, part.body.error?.message ?? '加载失败，请重试');
  return renderCard({ me: boot.me, dictionaries: boot.dictionaries, shim }, part.card);
}
