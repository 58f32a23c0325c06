/**
 * Demo CRM data (demo mode's first start, after the org sync): 300 customers across the demo
 * reps with contacts and six months of follow-ups, a product shelf of funds, wealth products,
 * insurance and trusts with a year of fund NAVs, the customers' trades (server/README.md#the-trade-ledger:
 * direct and consignment buys credited to the customer's owner, redemptions by shares at that
 * day's NAV, term products paid out at maturity) with the holdings they project to, 10
 * consignment partners with their follow-ups, and this quarter's targets.
 *
 * The rows are generated in memory (the same seed and `now` give the same data) and written in
 * one transaction: a start interrupted mid-seed leaves nothing, and the next start seeds again.
 * Through the services this took ~50 s of round trips; in bulk it takes a second or two. The
 * rules the services enforce are kept by construction: dictionary codes from the seeded lists,
 * one primary contact, the newest follow-up setting last/next dates, each position folded with
 * the ledger's own `applyTrade` in the order the server replays it (so each holding is what
 * `replayPosition` computes), 销售额 rebuilt from the buys, and every buyer assessed at or above
 * what they bought, but for a few recorded suitability exceptions (`assessRisk`).
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { normalizePhone } from '@shared/phone';
import { addDays, businessDate } from '@shared/time';
import { DEFAULT_ASSESSMENT_VALID_DAYS } from '@shared/suitability';
import { EMPTY_POSITION, PAR_NAV, applyTrade, sharesAt, valueAt, type Position, type TradeKind } from '@shared/ledger';
import { refreshPlannerStatistics } from '../server/db/dialect';
import { rebuildFollowUpRollup } from '../server/modules/follow-ups/rollup';
import { rebuildSalesRollup } from '../server/modules/trades/rollup';
import { pinyinInitials } from '../server/util/pinyin';
import { seededRandom } from './wecom-simulator/demo-corp';
import { seedDemoPipeline, type DemoPipelineSummary } from './demo-pipeline';
import type { SimExternalContact } from './wecom-simulator/index';
import type { QuickReplyInput } from '@shared/engagement';
import type { WecomClient } from '../server/wecom/client';
import { SYSTEM_ACTOR } from '../server/modules/audit/service';
import { createContactWay } from '../server/modules/engagement/contact-ways';
import { createQuickReply } from '../server/modules/engagement/quick-replies';
import { saveTemplate } from '../server/modules/engagement/welcome';

const DAY = 86_400_000;
/** NAV history, in days: longer than any trade of the demo (a benchmark's extra buys reach a year back). */
const NAV_DAYS = 400;

/** Demo reps and how many customers each owns (300 in all). */
const BOOKS: Record<string, number> = { 'rep-east-1': 80, 'rep-east-2': 65, 'rep-east-3': 50, 'rep-south-1': 70, 'mgr-east': 20, 'mgr-south': 15 };

const PRODUCTS = [
  { code: 'PF0001', name: '招盈稳健债券A', category: 'public_fund', riskLevel: 'R2', issuer: '招盈基金', nav: { start: 1.05, drift: 0.04, wobble: 0.004 } },
  { code: 'PF0002', name: '沪深300指数增强', category: 'public_fund', riskLevel: 'R3', issuer: '华泰柏瑞基金', nav: { start: 1.1, drift: 0.07, wobble: 0.04 } },
  { code: 'PF0003', name: '科技创新混合', category: 'public_fund', riskLevel: 'R4', issuer: '易方达基金', nav: { start: 1.6, drift: -0.12, wobble: 0.06 } },
  // A money fund is quoted at par (1 元 a share): no NAV.
  { code: 'PF0004', name: '货币增利宝', category: 'public_fund', riskLevel: 'R1', issuer: '天弘基金' },
  { code: 'WM0001', name: '安心理财90天', category: 'wealth', riskLevel: 'R2', issuer: '招银理财', termDays: 90 },
  { code: 'WM0002', name: '季季盈固收增强', category: 'wealth', riskLevel: 'R2', issuer: '工银理财', termDays: 91 },
  { code: 'WM0003', name: '年年享一年持有', category: 'wealth', riskLevel: 'R3', issuer: '建信理财', termDays: 365 },
  { code: 'IN0001', name: '鑫享年金保险', category: 'insurance', riskLevel: 'R1', issuer: '中国人寿' },
  { code: 'IN0002', name: '安康终身重疾险', category: 'insurance', riskLevel: 'R1', issuer: '平安人寿' },
  {
    code: 'PV0001',
    name: '稳进1号私募证券投资基金',
    category: 'private_fund',
    riskLevel: 'R4',
    issuer: '景林资产',
    nav: { start: 1.25, drift: 0.1, wobble: 0.03 },
  },
  { code: 'PV0002', name: '量化对冲2号', category: 'private_fund', riskLevel: 'R5', issuer: '幻方量化', nav: { start: 1.4, drift: -0.03, wobble: 0.02 } },
  { code: 'TR0001', name: '家族财富传承信托', category: 'trust', riskLevel: 'R3', issuer: '中信信托', termDays: 730 },
] as const;

const PARTNERS = [
  { name: '招商银行上海分行', type: 'bank', status: 'active', owner: 'mgr-east', code: '91310000839219751K' },
  { name: '兴业银行杭州分行', type: 'bank', status: 'active', owner: 'rep-east-1', code: '91330100799655058B' },
  { name: '平安银行深圳分行', type: 'bank', status: 'signed', owner: 'mgr-south', code: '91440300892271245J' },
  { name: '中信证券股份有限公司', type: 'securities', status: 'active', owner: 'rep-east-2', code: '914403001017814402' },
  { name: '华泰证券南京营业部', type: 'securities', status: 'negotiating', owner: 'rep-east-3', code: null },
  { name: '东方财富证券', type: 'securities', status: 'suspended', owner: 'rep-south-1', code: null },
  { name: '蚂蚁基金销售有限公司', type: 'third_party', status: 'active', owner: 'mgr-east', code: '91330106673959654P' },
  { name: '上海天天基金销售有限公司', type: 'third_party', status: 'active', owner: 'rep-east-1', code: '913101155774567588' },
  { name: '京东肯特瑞基金销售有限公司', type: 'third_party', status: 'negotiating', owner: 'rep-south-1', code: null },
  { name: '明亚保险经纪', type: 'insurance', status: 'terminated', owner: 'mgr-south', code: null },
] as const;

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉俊飞红梅鑫波斌宇浩凯健晨欣怡佳琪雪婷倩颖晶慧蕾琳璐瑶志国建新海文永春';
const CITIES = ['上海', '杭州', '苏州', '南京', '宁波', '深圳', '广州', '东莞', '佛山', '厦门', '无锡', '合肥'];
const BRANDS = ['浦江', '华信', '远景', '恒泰', '瑞丰', '嘉禾', '鼎盛', '同创', '明德', '海纳'];
const TRADES = ['投资管理', '科技', '实业', '贸易', '医疗器械', '新材料', '物流', '置业'];
const TITLES = ['总经理', '财务总监', '董事长', '投资经理', '创始人', '副总裁', '财务经理', '个体经营者', '医生', '大学教师', '律师', '退休'];
const CHANNELS = ['wecom', 'wecom', 'wecom', 'phone', 'phone', 'visit', 'meeting', 'email'];
const NOTES = [
  '介绍了近期债券市场走势，客户关注稳健收益。',
  '客户咨询年金险的领取方式，已发送产品说明书。',
  '回访持仓情况，客户对收益表现满意，考虑追加。',
  '客户风险测评到期，已提醒重新测评。',
  '邀请客户参加下月投资策略会，客户表示有兴趣。',
  '沟通孩子教育金规划，初步推荐定投组合。',
  '客户近期资金到期，讨论续作方案。',
  '解答客户关于私募产品封闭期的问题。',
  '节日问候，顺便了解客户家庭近况。',
  '客户反馈赎回到账时间，已协助查询。',
];
const OUTCOMES = ['有意向', '需再跟进', '已成交', '暂无需求', '待客户确认', null];
const NEXT_ACTIONS = ['发送产品资料', '预约面谈', '跟进认购进度', '提醒风险测评', '邀请参加活动', null];
const PARTNER_NOTES = ['沟通季度代销额度与费率。', '拜访渠道负责人，讨论新产品上架。', '对账上月代销数据。', '协调营业部培训安排。'];

export interface DemoDataSummary {
  customers: number;
  contacts: number;
  followUps: number;
  holdings: number;
  /** Every trade of the ledger: buys (the demo's 销售额), redemptions, maturities. */
  trades: number;
  /** Buys past a suitability mismatch, with their recorded exception. */
  suitabilityOverrides: number;
  partners: number;
  products: number;
  targets: number;
  /** 商机 across the stages, and customers now in 公海 (scripts/demo-pipeline.ts). */
  opportunities: number;
  pooled: number;
}

type Row = Record<string, unknown>;

/** Seeds the demo CRM unless the CRM holds data already. Needs the demo org (users) in place. */
/** A person the demo reps already chat with in WeCom (the simulator's demo contacts). */
export interface WecomIdentity {
  /** The first employee following them: their customer in the CRM. */
  userid: string;
  name: string;
  mobile: string;
  company: string | null;
}

export interface DemoDataOptions {
  now?: Date;
  seed?: number;
  /** Multiplies the customer books (benchmarks use a larger CRM); 1 = the 300-customer demo. */
  scale?: number;
  /**
   * WeCom contacts to be among the CRM's customers (same name and phone), so the first external
   * contact sync links them by remark mobile and the sidebar shows a full card for them.
   */
  wecomIdentities?: WecomIdentity[];
  /**
   * Buys booked per purchase (benchmarks raise it to reach 500k sales). The extra ones are
   * earlier buys of the same product within the last year, in the same position.
   */
  salesPerPurchase?: number;
  /** Multiplies each customer's follow-ups (benchmarks raise it to reach 1M follow-ups). */
  followUpScale?: number;
}

/** The demo contacts with a remark mobile, as customer identities of the rep who added them. */
export function identitiesOf(contacts: Iterable<SimExternalContact>): WecomIdentity[] {
  const out: WecomIdentity[] = [];
  for (const { contact, follows } of contacts) {
    const first = follows[0];
    const mobile = first?.remark_mobiles?.[0];
    if (!first || !mobile) continue;
    out.push({ userid: first.userid, name: contact.name, mobile, company: contact.corp_full_name ?? (first.remark_corp_name || null) });
  }
  return out;
}

export async function seedDemoCrm(sequelize: Sequelize, options: DemoDataOptions = {}): Promise<DemoDataSummary | null> {
  const [existing] = await sequelize.query<{ n: number }>(
    'SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM consignment_partners) AS n',
    { type: QueryTypes.SELECT },
  );
  if (Number(existing?.n) > 0) return null;
  const users = await sequelize.query<{ id: number; wecom_userid: string; main_department_id: number | null }>(
    'SELECT id, wecom_userid, main_department_id FROM users',
    { type: QueryTypes.SELECT },
  );
  const employees = new Map(users.map((u) => [u.wecom_userid, { id: Number(u.id), departmentId: Number(u.main_department_id) }]));
  for (const userid of [...Object.keys(BOOKS), 'admin']) {
    if (!employees.has(userid)) throw new Error(`demo data needs the demo employee ${userid}: sync the org first`);
  }
  const tables = generate(
    options.now ?? new Date(),
    options.seed ?? 20261123,
    options.scale ?? 1,
    options.wecomIdentities ?? [],
    options.salesPerPurchase ?? 1,
    options.followUpScale ?? 1,
    (userid) => employees.get(userid)!,
  );
  let pipeline: DemoPipelineSummary = { opportunities: 0, pooled: 0 };
  await sequelize.transaction(async (transaction) => {
    for (const [table, rows] of Object.entries(tables)) await insertAll(sequelize, table, rows, transaction);
    await rebuildSalesRollup(sequelize, transaction);
    await rebuildFollowUpRollup(sequelize, transaction);
    pipeline = await seedDemoPipeline(sequelize, transaction, options.now ?? new Date(), options.seed ?? 20261123);
  });
  await refreshPlannerStatistics(sequelize);
  return {
    customers: tables.customers.length,
    contacts: tables.customer_contacts.length,
    followUps: tables.follow_ups.length,
    holdings: tables.holdings.length,
    trades: tables.trades.length,
    suitabilityOverrides: tables.trades.filter((t) => t.suitability_override !== null).length,
    partners: tables.consignment_partners.length,
    products: tables.products.length,
    targets: tables.targets.length,
    ...pipeline,
  };
}

/** Multi-row INSERTs of at most 100 rows (SQLite caps the number of bound parameters). */
async function insertAll(sequelize: Sequelize, table: string, rows: Row[], transaction: Transaction): Promise<void> {
  const queryInterface = sequelize.getQueryInterface();
  for (let i = 0; i < rows.length; i += 100) await queryInterface.bulkInsert(table, rows.slice(i, i + 100), { transaction });
}

/** Every table's rows, in insertion order (parents first). Ids are assigned here: the tables are empty. */
function generate(
  now: Date,
  seed: number,
  scale: number,
  identities: WecomIdentity[],
  salesPerPurchase: number,
  followUpScale: number,
  employee: (userid: string) => { id: number; departmentId: number },
) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const personName = () => pick([...SURNAMES]) + pick([...GIVEN]) + (random() < 0.65 ? pick([...GIVEN]) : '');
  const companyName = () => `${pick(CITIES)}${pick(BRANDS)}${pick(TRADES)}有限公司`;
  /** `count` distinct items, in random order (partial Fisher–Yates). */
  const sample = <T>(items: readonly T[], count: number): T[] => {
    const copy = [...items];
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(random() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy.slice(0, count);
  };
  /** Whole seconds, as a MySQL DATETIME keeps them. */
  const at = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);
  const daysAgo = (days: number, hours = 0) => at(now.getTime() - days * DAY - hours * 3_600_000);
  const stamps = (when: Date) => ({ created_at: when, updated_at: when });
  const seedTime = at(now.getTime());

  const tables = {
    products: [] as Row[],
    consignment_partners: [] as Row[],
    partner_follow_ups: [] as Row[],
    customers: [] as Row[],
    customer_stage_changes: [] as Row[],
    customer_contacts: [] as Row[],
    follow_ups: [] as Row[],
    holdings: [] as Row[],
    trades: [] as Row[],
    targets: [] as Row[],
    product_navs: [] as Row[],
  };

  PRODUCTS.forEach((p, i) => {
    tables.products.push({
      id: i + 1,
      code: p.code,
      name: p.name,
      category: p.category,
      risk_level: p.riskLevel,
      status: 'on_sale',
      issuer: p.issuer,
      description: null,
      term_days: 'termDays' in p ? p.termDays : null,
      ...stamps(daysAgo(400)),
    });
  });

  PARTNERS.forEach((p, i) => {
    const id = i + 1;
    const owner = employee(p.owner);
    const follows = Array.from({ length: between(1, 4) }, () => daysAgo(between(1, 170), between(0, 8))).sort((a, b) => a.getTime() - b.getTime());
    for (const followedAt of follows) {
      tables.partner_follow_ups.push({
        partner_id: id,
        user_id: owner.id,
        followed_at: followedAt,
        channel: pick(['visit', 'phone', 'meeting']),
        content: pick(PARTNER_NOTES),
        outcome: null,
        next_action: null,
        next_follow_up_at: null,
        deleted_at: null,
        ...stamps(followedAt),
      });
    }
    tables.consignment_partners.push({
      id,
      name: p.name,
      type: p.type,
      status: p.status,
      credit_code: p.code,
      contact_name: `${personName()}`,
      contact_phone: `021${between(5000, 6999)}${between(1000, 9999)}`,
      address: null,
      agreement_signed_on: p.status === 'negotiating' ? null : businessDate(daysAgo(between(90, 700))),
      info: null,
      notes: null,
      owner_user_id: owner.id,
      department_id: owner.departmentId,
      last_follow_up_at: follows.at(-1) ?? null,
      next_follow_up_at: null,
      version: 1,
      created_by: owner.id,
      deleted_at: null,
      ...stamps(daysAgo(720)),
    });
  });
  const sellingPartners = tables.consignment_partners.filter((p) => p.status === 'active' || p.status === 'signed').map((p) => Number(p.id));
  const navs = navBook(PRODUCTS, now);
  tables.product_navs.push(...navs.rows);

  const usedCompanies = new Set<string>();
  const usedPeople = new Set<string>();
  let customerId = 0;
  let holdingId = 0;
  let tradeId = 0;
  for (const [userid, count] of Object.entries(BOOKS)) {
    const owner = employee(userid);
    const known = identities.filter((p) => p.userid === userid && normalizePhone(p.mobile));
    for (let i = 0; i < count * scale; i++) {
      const id = ++customerId;
      const identity = known[i];
      const institution = !identity && random() < 0.15;
      let company = companyName();
      for (let tries = 0; institution && usedCompanies.has(company); tries++) {
        // Only large benchmark books run out of names: number the branches then.
        company = tries < 20 ? companyName() : company.replace(/(分公司)?有限公司$/, `${tries}分公司有限公司`);
      }
      if (institution) usedCompanies.add(company);
      const employer = identity ? identity.company : !institution && random() < 0.4 ? company : null;
      let name = identity ? identity.name : institution ? company : personName();
      // No two customers share name + institution (the duplicate rule): draw again.
      while (!institution && usedPeople.has(`${name}|${employer}`)) name = personName();
      usedPeople.add(`${name}|${employer}`);
      const stage = pick(['lead', 'lead', 'intent', 'intent', 'opportunity', 'customer', 'customer', 'customer', 'repeat', 'repeat', 'lost']);
      // Customers arrive over the past year; everything of theirs happens after they arrived.
      const ageDays = between(3, 365);
      const createdAt = daysAgo(ageDays, 12);
      const sinceArrival = (maxDays: number) => between(1, Math.min(maxDays, ageDays - 1));

      const contacts = institution ? between(1, 3) : random() < 0.25 ? 1 : 0;
      for (let c = 0; c < contacts; c++) {
        tables.customer_contacts.push({
          customer_id: id,
          name: personName(),
          title: institution ? pick(['财务总监', '董事会秘书', '投资部经理', '行政主管']) : null,
          phone: `13${between(0, 9)}${between(10_000_000, 99_999_999)}`,
          email: null,
          relation: institution ? null : pick(['配偶', '子女', '助理']),
          notes: null,
          primary_of_customer_id: c === 0 ? id : null,
          ...stamps(createdAt),
        });
      }

      const followTimes = Array.from({ length: (stage === 'lost' ? between(1, 3) : between(0, 7)) * followUpScale }, () =>
        daysAgo(sinceArrival(180), between(0, 10)),
      ).sort((a, b) => a.getTime() - b.getTime());
      let nextFollowUpAt: Date | null = null;
      followTimes.forEach((followedAt, index) => {
        const newest = index === followTimes.length - 1;
        // The newest follow-up often plans the next one: a few overdue, some today, most ahead.
        const next = newest && stage !== 'lost' && random() < 0.6 ? at(Math.max(followedAt.getTime() + DAY, now.getTime() + between(-5, 14) * DAY)) : null;
        if (newest) nextFollowUpAt = next;
        tables.follow_ups.push({
          customer_id: id,
          user_id: owner.id,
          followed_at: followedAt,
          channel: pick(CHANNELS),
          content: pick(NOTES),
          outcome: pick(OUTCOMES),
          next_action: next ? pick(NEXT_ACTIONS) : null,
          next_follow_up_at: next,
          deleted_at: null,
          ...stamps(followedAt),
        });
      });

      tables.customer_stage_changes.push({
        customer_id: id,
        from_stage: null,
        to_stage: 'lead',
        changed_by: owner.id,
        changed_at: createdAt,
        ...stamps(createdAt),
      });
      if (stage !== 'lead') {
        const changedAt = daysAgo(sinceArrival(180));
        tables.customer_stage_changes.push({
          customer_id: id,
          from_stage: 'lead',
          to_stage: stage,
          changed_by: owner.id,
          changed_at: changedAt,
          ...stamps(changedAt),
        });
      }
      tables.customers.push({
        id,
        type: institution ? 'institution' : 'individual',
        name,
        name_initials: pinyinInitials(name),
        status: stage === 'lost' ? 'dormant' : 'active',
        lifecycle_stage: stage,
        source: pick(['wecom', 'wecom', 'referral', 'referral', 'website', 'event', 'phone']),
        level: stage === 'repeat' ? pick(['vip', 'important']) : pick(['important', 'normal', 'normal', 'potential']),
        institution: institution ? company : employer,
        title: institution ? null : pick(TITLES),
        // Unique and well-formed: 1[3589]x + the customer number spread over eight digits.
        phone: identity
          ? normalizePhone(identity.mobile)
          : `1${pick(['3', '5', '8', '9'])}${between(0, 9)}${String((id * 7_919_993) % 100_000_000).padStart(8, '0')}`,
        email: random() < 0.3 ? `demo${id}@example.com` : null,
        unionid: null,
        notes: null,
        owner_user_id: owner.id,
        department_id: owner.departmentId,
        next_follow_up_at: nextFollowUpAt,
        last_follow_up_at: followTimes.at(-1) ?? null,
        version: 1,
        merged_into_id: null,
        created_by: owner.id,
        deleted_at: null,
        created_at: createdAt,
        updated_at: followTimes.at(-1) ?? createdAt,
      });

      if (stage !== 'customer' && stage !== 'repeat' && stage !== 'lost') continue;
      for (const product of sample(tables.products, stage === 'repeat' ? between(2, 3) : 1)) {
        // The plan of the position, drawn as the demo always drew it (so every customer after this
        // one comes out the same): a buy when nothing is held or on 45% of the visits, else a
        // redemption (a lost customer takes everything out), else a visit that trades nothing.
        const plan: PlannedTrade[] = [];
        let empty = true;
        for (let day = sinceArrival(180); day > 0; day -= between(25, 70)) {
          const roll = random();
          if (empty || roll < 0.45) {
            const amount = between(1, 50) * 10_000;
            const partnerId = random() < 0.3 ? pick(sellingPartners) : null;
            // The extra buys of a benchmark are earlier buys of the same product within the last year.
            for (let repeat = 0; repeat < salesPerPurchase; repeat++)
              plan.push({ kind: 'buy', ago: repeat === 0 ? day : between(day, 365), amountFen: amount * 100, partnerId });
            empty = false;
          } else if (stage === 'lost' || roll < 0.7) {
            plan.push({ kind: 'redeem', ago: day, part: stage === 'lost' ? 1 : random() * 0.5 });
            empty = stage === 'lost';
          } else {
            random(); // the valuation the old demo drew here: market value now comes from NAVs
          }
        }
        const position = playPosition(plan, {
          customerId: id,
          product: { id: Number(product.id), category: String(product.category), termDays: product.term_days === null ? null : Number(product.term_days) },
          owner,
          now,
          navs,
          nextTradeId: () => ++tradeId,
        });
        if (!position) continue;
        tables.trades.push(...position.trades);
        tables.holdings.push({ id: ++holdingId, ...position.holding, ...stamps(seedTime) });
      }
    }
  }

  const today = businessDate(now);
  const quarter = `${today.slice(0, 4)}-Q${Math.ceil(Number(today.slice(5, 7)) / 3)}`;
  const admin = employee('admin').id;
  const target = (scopeType: 'user' | 'department', scopeId: number, metric: string, value: number) =>
    tables.targets.push({ period: quarter, scope_type: scopeType, scope_id: scopeId, metric, value, created_by: admin, ...stamps(seedTime) });
  for (const userid of Object.keys(BOOKS).filter((u) => u.startsWith('rep-'))) {
    const { id } = employee(userid);
    target('user', id, 'sales_amount', between(20, 60) * 100_000 * 100);
    target('user', id, 'new_customers', between(15, 40));
    target('user', id, 'follow_ups', between(120, 240));
  }
  for (const departmentId of [2, 3, 6]) {
    target('department', departmentId, 'sales_amount', between(100, 300) * 100_000 * 100);
    target('department', departmentId, 'new_customers', between(60, 150));
  }
  assessRisk(tables, now, seed);
  return tables;
}

/** What a term product pays at maturity, a year's rate on the cost (bank wealth products, trusts). */
const MATURITY_YIELD: Record<string, number> = { wealth: 0.03, trust: 0.05 };
/** Fund buys and redemptions are confirmed the next day (T+1). */
const CONFIRMED_CATEGORIES = new Set(['public_fund', 'private_fund']);
const OVERRIDE_REASON = '客户坚持购买，已签署风险不匹配警示及投资者确认书（演示数据）';

/** A position's trades as drawn, before they are folded: a buy of an amount, or a redemption of a part of the shares held then. */
type PlannedTrade = { kind: 'buy'; ago: number; amountFen: number; partnerId: number | null } | { kind: 'redeem'; ago: number; part: number };

/** The demo's NAV history: a smooth, deterministic path per NAV product (no random draws), one NAV a day. */
interface NavBook {
  rows: Row[];
  /** The NAV on or before a day, par without one: the server's `navOn`. */
  on(productId: number, day: string): number;
}

function navBook(products: readonly (typeof PRODUCTS)[number][], now: Date): NavBook {
  const dayOf = (ago: number) => businessDate(new Date(now.getTime() - ago * DAY));
  const byProduct = new Map<number, Map<string, number>>();
  const first = dayOf(NAV_DAYS);
  const rows: Row[] = [];
  products.forEach((p, i) => {
    if (!('nav' in p)) return;
    const id = i + 1;
    const series = new Map<string, number>();
    // 累计净值 adds back what a share paid out before the demo's window: a few products paid 0.05 or 0.10.
    const paidOut = (id % 3) * 0.05;
    for (let ago = NAV_DAYS; ago >= 0; ago--) {
      const years = (NAV_DAYS - ago) / 365;
      const nav = Math.round((p.nav.start * (1 + p.nav.drift * years) + p.nav.wobble * Math.sin((id * 31 + ago) / 9)) * 10_000) / 10_000;
      series.set(dayOf(ago), nav);
      const accumulated = Math.round((nav + paidOut) * 10_000) / 10_000;
      rows.push({ product_id: id, nav_date: dayOf(ago), nav, accumulated_nav: accumulated, created_at: now, updated_at: now });
    }
    byProduct.set(id, series);
  });
  return {
    rows,
    on(productId, day) {
      const series = byProduct.get(productId);
      for (let d = day; series && d >= first; d = addDays(d, -1)) {
        const nav = series.get(d);
        if (nav !== undefined) return nav;
      }
      return PAR_NAV;
    },
  };
}

interface PositionContext {
  customerId: number;
  product: { id: number; category: string; termDays: number | null };
  owner: { id: number; departmentId: number };
  now: Date;
  navs: NavBook;
  nextTradeId: () => number;
}

/**
 * A position's trades and the holding they project to. The plan is played in trade-date order
 * (a day's trades in the order drawn, which is the order of their ids) and each trade is folded
 * with the ledger's own `applyTrade`, exactly as `replayPosition` folds them on the server: what is
 * written here is what the server would compute (test/integration/demo-data.test.ts replays
 * every position to prove it). A buy takes the amount's shares at that day's NAV (par for a
 * product without NAVs); a redemption gives back whole shares at that day's NAV; a term product
 * whose term has run since its last buy is paid out (到期兑付) on that day, at its cost plus a
 * year's rate for the term, before anything later happens to it.
 */
function playPosition(plan: PlannedTrade[], ctx: PositionContext): { trades: Row[]; holding: Row } | null {
  const { product, owner, now, navs } = ctx;
  const today = businessDate(now);
  const dayOf = (ago: number) => businessDate(new Date(now.getTime() - ago * DAY));
  const ordered = plan.map((p, index) => ({ p, index, on: dayOf(p.ago) })).sort((a, b) => a.on.localeCompare(b.on) || a.index - b.index);
  const trades: Row[] = [];
  let position: Position = EMPTY_POSITION;
  let firstBuy: string | null = null;
  let lastBuy: { on: string; partnerId: number | null } | null = null;
  const record = (kind: TradeKind, on: string, amount: number, shares: number, nav: number | null, createdAt: Date, partnerId: number | null) => {
    const effect = applyTrade(position, { kind, amount, shares: Math.abs(shares) });
    trades.push({
      id: ctx.nextTradeId(),
      customer_id: ctx.customerId,
      product_id: product.id,
      kind,
      channel: partnerId === null ? 'direct' : 'consignment',
      partner_id: partnerId,
      rep_user_id: owner.id,
      department_id: owner.departmentId,
      amount_fen: amount,
      shares_hundredths: kind === 'maturity' ? -position.shares : shares,
      nav,
      cost_delta_fen: effect.costDelta,
      realised_gain_fen: effect.realisedGain,
      traded_on: on,
      confirmed_on: CONFIRMED_CATEGORIES.has(product.category) && kind !== 'maturity' && on < today ? addDays(on, 1) : null,
      suitability_override: null,
      notes: null,
      created_by: owner.id,
      voided_at: null,
      created_at: createdAt,
      updated_at: createdAt,
    });
    position = effect.position;
  };
  /** Pays out a term product whose term ran out on or before `day`. */
  const matureBy = (day: string) => {
    if (!product.termDays || !lastBuy || position.shares <= 0) return;
    const due = addDays(lastBuy.on, product.termDays);
    if (due > day) return;
    const payout = Math.round(position.cost * (1 + ((MATURITY_YIELD[product.category] ?? 0) * product.termDays) / 365));
    const paidAt = new Date(Math.min(now.getTime(), Date.parse(`${due}T10:00:00+08:00`)));
    record('maturity', due, payout, 0, null, paidAt, lastBuy.partnerId);
  };
  for (const { p, on } of ordered) {
    matureBy(on);
    const nav = navs.on(product.id, on);
    const createdAt = new Date(Math.floor((now.getTime() - p.ago * DAY) / 1000) * 1000);
    if (p.kind === 'buy') {
      record('buy', on, p.amountFen, sharesAt(p.amountFen, nav), nav, createdAt, p.partnerId);
      firstBuy ??= on;
      lastBuy = { on, partnerId: p.partnerId };
    } else if (position.shares > 0) {
      const shares = p.part >= 1 ? position.shares : Math.min(position.shares, Math.max(100, Math.floor((position.shares * p.part) / 100) * 100));
      record('redeem', on, valueAt(shares, nav), -shares, nav, createdAt, lastBuy?.partnerId ?? null);
    }
  }
  matureBy(today);
  if (!trades.length) return null;
  return {
    trades,
    holding: {
      customer_id: ctx.customerId,
      product_id: product.id,
      shares_hundredths: position.shares,
      cost_fen: position.cost,
      realised_gain_fen: position.realisedGain,
      status: position.shares > 0 ? 'holding' : 'closed',
      first_bought_on: firstBuy,
      last_changed_on: trades.at(-1)!.traded_on,
      matures_on: product.termDays && lastBuy ? addDays(lastBuy.on, product.termDays) : null,
    },
  };
}

/**
 * Each customer's risk profile (投资者适当性): institutions are professional investors; half the
 * leads are not assessed yet; everyone else is assessed, 1 in 12 with an assessment expiring within
 * the month. A customer who bought anything holds a valid assessment (dated, not expired, made
 * on or before the first buy when that lies within the year) at or above the risk of every product
 * bought — except a few (at most EXCEPTIONS, every 10th customer the draw placed below what they
 * bought, never at C1): they stay one grade below their riskiest product and each buy above their
 * grade carries a suitability override (适当性例外), as a manager would have recorded it.
 */
const EXCEPTIONS = 4;

function assessRisk(tables: Record<string, Row[]>, now: Date, seed: number): void {
  const random = seededRandom(seed + 1);
  const today = businessDate(now);
  const dayOf = (ago: number) => businessDate(new Date(now.getTime() - ago * DAY));
  const daysSince = (day: string) => Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${day}T00:00:00Z`)) / DAY);
  const levelOf = new Map(tables.products!.map((p) => [Number(p.id), Number(String(p.risk_level).slice(1))]));
  const buysOf = new Map<number, Row[]>();
  for (const t of tables.trades!) if (t.kind === 'buy') buysOf.set(Number(t.customer_id), [...(buysOf.get(Number(t.customer_id)) ?? []), t]);
  let belowWhatTheyBought = 0;
  let exceptions = 0;
  for (const c of tables.customers!) {
    const buys = buysOf.get(Number(c.id)) ?? [];
    const held = buys.map((t) => levelOf.get(Number(t.product_id))!);
    const drawn = 2 + Math.floor(random() * 3); // C2–C4 mostly
    let grade = Math.min(5, Math.max(drawn, ...held, random() < 0.1 ? 1 : 0) || 1);
    const roll = random();
    c.investor_class = c.type === 'institution' ? 'professional' : 'ordinary';
    Object.assign(c, { risk_level: null, risk_assessed_on: null, risk_assessment_expires_on: null });
    if (c.lifecycle_stage === 'lead' && roll < 0.5) continue;
    const drawnAgo = roll < 0.08 ? 340 + Math.floor(random() * 20) : 30 + Math.floor(random() * 280);
    const firstBuyAgo = buys.length ? Math.max(...buys.map((t) => daysSince(String(t.traded_on)))) : 0;
    const assessedOn = dayOf(firstBuyAgo > drawnAgo && firstBuyAgo < DEFAULT_ASSESSMENT_VALID_DAYS ? firstBuyAgo : drawnAgo);
    if (c.investor_class === 'ordinary' && drawn < grade && grade >= 3 && belowWhatTheyBought++ % 10 === 9 && exceptions < EXCEPTIONS) {
      exceptions++;
      grade -= 1;
      for (const t of buys) if (levelOf.get(Number(t.product_id))! > grade) t.suitability_override = OVERRIDE_REASON;
    }
    c.risk_level = `C${grade}`;
    c.risk_assessed_on = assessedOn;
    c.risk_assessment_expires_on = addDays(assessedOn, DEFAULT_ASSESSMENT_VALID_DAYS);
  }
}

/**
 * The demo corp's customer operations, so `npm start` shows the whole flow: a corp welcome
 * message switched on, a 渠道活码 for the wealth salon (source 活动, tagged 线下活动, leads to
 * the adder), and a small 话术库. Only on a corp that has none of them yet.
 */
export async function seedDemoEngagement(sequelize: Sequelize, wecom: WecomClient): Promise<boolean> {
  const [row] = await sequelize.query<{ n: number }>('SELECT (SELECT COUNT(*) FROM welcome_templates) + (SELECT COUNT(*) FROM quick_replies) AS n', {
    type: QueryTypes.SELECT,
  });
  if (Number(row?.n) > 0) return false;
  const actor = SYSTEM_ACTOR;
  await saveTemplate(sequelize, actor, {
    scope: 'corp',
    text: '{客户称呼}您好，我是{销售姓名}，很高兴为您服务。理财、保险、资产配置方面有任何问题，随时在这里找我。',
    enabled: true,
  });
  const reps = await sequelize.query<{ id: number }>("SELECT id FROM users WHERE wecom_userid IN ('rep-east-1', 'rep-east-2') ORDER BY wecom_userid", {
    type: QueryTypes.SELECT,
  });
  if (reps.length) {
    await createContactWay(sequelize, wecom, actor, {
      name: '12月财富沙龙',
      userIds: reps.map((r) => Number(r.id)),
      skipVerify: true,
      tagIds: ['et-src-event'],
      source: 'event',
      ownerRule: 'adder',
      ownerUserId: null,
      welcomeText: '{客户称呼}您好，感谢参加 12 月财富沙龙！我是{销售姓名}，会后资料稍后发给您。',
    });
  }
  const replies: QuickReplyInput[] = [
    { category: '开场问候', title: '首次问候', kind: 'text', content: '{客户称呼}您好，我是您的专属理财顾问，有任何问题随时联系我。', sortOrder: 0 },
    { category: '开场问候', title: '节日问候', kind: 'text', content: '{客户称呼}，节日快乐！祝您和家人身体健康、万事顺意。', sortOrder: 1 },
    {
      category: '产品介绍',
      title: '稳健债券基金',
      kind: 'text',
      content: '{客户称呼}，招盈稳健债券A 风险等级 R2，近一年波动较小，适合追求稳健收益的资金。需要我发您产品资料吗？',
      sortOrder: 0,
    },
    { category: '产品介绍', title: '产品资料下载', kind: 'link', content: '最新产品资料与风险揭示', linkUrl: 'https://example.com/products', sortOrder: 1 },
    {
      category: '售后服务',
      title: '赎回到账说明',
      kind: 'text',
      content: '{客户称呼}，赎回申请提交后一般 T+1 至 T+3 个工作日到账，到账后我会第一时间告诉您。',
      sortOrder: 0,
    },
  ];
  for (const reply of replies) await createQuickReply(sequelize, actor, reply);
  return true;
}

/** Before the demo org's first sync: 运营部 members start as 运营, 合规风控部 as 合规 (not 销售). */
export async function seedDemoDepartmentRoles(sequelize: Sequelize): Promise<void> {
  const now = new Date();
  const mapping = [
    { department_id: 4, role_code: 'operations' },
    { department_id: 5, role_code: 'compliance' },
  ];
  await sequelize.getQueryInterface().bulkInsert(
    'department_default_roles',
    mapping.map((m) => ({ ...m, created_at: now, updated_at: now })),
  );
}
