/**
 * Deterministic corp generator. With no size options it builds the demo corp of server/wecom/README.md#the-wecom-simulator
 * (fixed employee ids, ~60 external contacts with realistic Chinese names); with sizes it builds
 * a large random org for benchmarks. The same seed always gives the same corp.
 */
import type { CorpTagGroup, WecomDepartment, WecomGroupChat, WecomUser } from '../../server/wecom/types';
import type { CorpSnapshot, SimExternalContact, SimFollow } from './state';

export interface GenerateCorpOptions {
  seed?: number;
  /** Total employees (the demo staff are always included). */
  employees?: number;
  /** Total departments (the demo departments are always included). */
  departments?: number;
  externalContacts?: number;
  /** Average employees following each generated contact (1–2; benchmarks use 2). */
  followsPerContact?: number;
  /** Fixed creation time base, seconds since epoch, so snapshots are reproducible. */
  epoch?: number;
}

/** The employees every demo corp has, with the roles the README documents. */
export const DEMO_EMPLOYEES = [
  { userid: 'admin', name: '管理员', department: [1], position: '系统管理员' },
  { userid: 'mgr-east', name: '陈建国', department: [2], position: '华东销售部经理', leader: true },
  { userid: 'rep-east-1', name: '李娜', department: [2], position: '理财经理' },
  { userid: 'rep-east-2', name: '王强', department: [2], position: '理财经理' },
  { userid: 'rep-east-3', name: '赵敏', department: [6], position: '客户经理' },
  { userid: 'mgr-south', name: '黄志明', department: [3], position: '华南销售部经理', leader: true },
  { userid: 'rep-south-1', name: '刘洋', department: [3], position: '理财经理' },
  { userid: 'ops-1', name: '周婷', department: [4], position: '运营专员' },
  { userid: 'risk-1', name: '吴磊', department: [5], position: '合规专员' },
] as const;

export const DEMO_DEPARTMENTS: WecomDepartment[] = [
  { id: 1, name: '总部', parentid: 0, order: 100000000 },
  { id: 2, name: '华东销售部', parentid: 1, order: 99999000 },
  { id: 3, name: '华南销售部', parentid: 1, order: 99998000 },
  { id: 4, name: '运营部', parentid: 1, order: 99997000 },
  { id: 5, name: '合规风控部', parentid: 1, order: 99996000 },
  { id: 6, name: '上海财富团队', parentid: 2, order: 99995000 },
];

/** Reps who own the demo customers, and how many each gets. */
const DEMO_FOLLOWERS: Record<string, number> = {
  'rep-east-1': 18,
  'rep-east-2': 14,
  'rep-east-3': 10,
  'rep-south-1': 14,
  'mgr-east': 4,
};

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍鹏辉俊飞红梅鑫波斌宇浩凯健晨欣怡佳琪雪婷倩颖晶慧蕾琳璐瑶';
const COMPANIES = [
  '上海浦江投资管理有限公司',
  '杭州西湖科技有限公司',
  '苏州工业园区精密制造有限公司',
  '南京金陵贸易有限公司',
  '宁波港城物流有限公司',
  '深圳前海资本管理有限公司',
  '广州天河置业有限公司',
  '东莞松山湖电子有限公司',
  '佛山顺德家电有限公司',
  '厦门鹭岛医疗器械有限公司',
  '无锡太湖新材料有限公司',
  '合肥科大讯联信息有限公司',
];
const POSITIONS = ['总经理', '财务总监', '董事长', '投资经理', '创始人', '副总裁', '财务经理', '个体经营者'];
/** The 渠道活码 `state`s generated contacts were added through (a third through none). */
export const CONTACT_STATES = ['qr-branch-sh', 'qr-event-2026', 'qr-referral', 'qr-website'];
const STATES = ['', '', ...CONTACT_STATES];
const ADD_WAYS = [1, 2, 3, 8, 9, 201];

/** A tag group of the demo corp, all made at one time; its tags in the order listed (the first has the highest `order`). */
const tagGroup = (group_id: string, group_name: string, order: number, tags: [id: string, name: string][]): CorpTagGroup => ({
  group_id,
  group_name,
  create_time: 1700000000,
  order,
  tag: tags.map(([id, name], i) => ({ id, name, create_time: 1700000000, order: tags.length - i })),
});

const TAG_GROUPS: CorpTagGroup[] = [
  tagGroup('etgrp-level', '客户等级', 3, [
    ['et-level-vip', '高净值'],
    ['et-level-normal', '普通客户'],
    ['et-level-potential', '潜在客户'],
  ]),
  tagGroup('etgrp-product', '意向产品', 2, [
    ['et-prod-fund', '公募基金'],
    ['et-prod-private', '私募产品'],
    ['et-prod-wealth', '银行理财'],
    ['et-prod-insurance', '保险'],
  ]),
  tagGroup('etgrp-source', '获客渠道', 1, [
    ['et-src-event', '线下活动'],
    ['et-src-referral', '老客户转介绍'],
  ]),
];

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateCorp(options: GenerateCorpOptions = {}): CorpSnapshot {
  const random = seededRandom(options.seed ?? 20261123);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const epoch = options.epoch ?? 1760000000;
  const personName = () => pick([...SURNAMES]) + pick([...GIVEN]) + (random() < 0.6 ? pick([...GIVEN]) : '');
  const mobile = (i: number) =>
    `1${pick(['38', '39', '58', '86', '88', '35'])}${String(10000000 + ((i * 7919 + Math.floor(random() * 1000)) % 90000000)).padStart(8, '0')}`;

  const departments = DEMO_DEPARTMENTS.map((d) => ({ ...d }));
  for (let id = departments.length + 1; id <= (options.departments ?? departments.length); id++) {
    const parent = departments[Math.floor(random() * departments.length)]!;
    departments.push({ id, name: `${parent.name.slice(0, 4)}${id}组`, parentid: parent.id, order: 1000000 - id });
  }

  const users: WecomUser[] = DEMO_EMPLOYEES.map((e, i) => ({
    userid: e.userid,
    name: e.name,
    department: [...e.department],
    main_department: e.department[0],
    is_leader_in_dept: 'leader' in e && e.leader ? [1] : [0],
    position: e.position,
    mobile: `1390000${String(i + 1).padStart(4, '0')}`,
    email: `${e.userid}@demo-corp.example`,
    gender: i % 2 ? '2' : '1',
    avatar: '',
    status: 1,
  }));
  for (let i = users.length; i < (options.employees ?? users.length); i++) {
    const dept = departments[Math.floor(random() * departments.length)]!;
    users.push({
      userid: `emp-${String(i).padStart(5, '0')}`,
      name: personName(),
      department: [dept.id],
      main_department: dept.id,
      is_leader_in_dept: [0],
      position: pick(['理财经理', '客户经理', '投资顾问', '运营专员']),
      mobile: mobile(i),
      email: `emp${i}@demo-corp.example`,
      gender: random() < 0.5 ? '1' : '2',
      avatar: '',
      status: 1,
    });
  }

  const followers: string[] = [];
  for (const [userid, count] of Object.entries(DEMO_FOLLOWERS)) {
    for (let i = 0; i < count; i++) followers.push(userid);
  }
  const total = options.externalContacts ?? followers.length;
  const allTags = TAG_GROUPS.flatMap((g) => g.tag.map((t) => t.id));
  const externalContacts: SimExternalContact[] = [];
  for (let i = 0; i < total; i++) {
    const owner = i < followers.length ? followers[i]! : users[Math.floor(random() * users.length)]!.userid;
    const isWecomUser = random() < 0.2;
    const company = pick(COMPANIES);
    const name = personName();
    const externalUserid = `wm${String(i).padStart(6, '0')}${Math.floor(random() * 0xffffff)
      .toString(16)
      .padStart(6, '0')}`;
    const follow: SimFollow = {
      userid: owner,
      remark: random() < 0.7 ? `${name}-${company.slice(0, 4)}` : '',
      description: random() < 0.3 ? '关注稳健型产品' : '',
      createtime: epoch + i * 3600,
      tag_ids: allTags.filter(() => random() < 0.2),
      remark_corp_name: random() < 0.5 ? company : '',
      remark_mobiles: random() < 0.75 ? [mobile(i + 100000)] : [],
      oper_userid: owner,
      add_way: pick(ADD_WAYS),
      state: pick(STATES),
    };
    const follows = [follow];
    // A few customers follow two reps (a manager and a rep, or two reps in one team).
    if (i < followers.length && i % 9 === 4) {
      const second = owner === 'rep-east-1' ? 'rep-east-2' : 'rep-east-1';
      follows.push({ ...follow, userid: second, oper_userid: second, remark: name, createtime: follow.createtime + 86400 });
    } else if (i >= followers.length && random() < (options.followsPerContact ?? 1) - 1) {
      const second = users[Math.floor(random() * users.length)]!.userid;
      if (second !== owner) follows.push({ ...follow, userid: second, oper_userid: second, remark: name, createtime: follow.createtime + 86400 });
    }
    externalContacts.push({
      contact: {
        external_userid: externalUserid,
        name,
        type: isWecomUser ? 2 : 1,
        avatar: '',
        gender: random() < 0.5 ? 1 : 2,
        unionid: random() < 0.6 ? `ou_${externalUserid.slice(2)}` : undefined,
        ...(isWecomUser ? { corp_name: company.replace(/有限公司$/, ''), corp_full_name: company, position: pick(POSITIONS) } : {}),
      },
      follows,
    });
  }

  const groupChats: WecomGroupChat[] = [];
  const chatOwners = ['rep-east-1', 'rep-east-2', 'rep-south-1'];
  chatOwners.forEach((owner, i) => {
    const members = externalContacts.filter((c) => c.follows.some((f) => f.userid === owner)).slice(0, 5);
    groupChats.push({
      chat_id: `wr-demo-chat-${i + 1}`,
      name: ['华东高净值客户交流群', '基金定投学习群', '华南客户服务群'][i]!,
      owner,
      create_time: epoch + i * 86400,
      notice: '欢迎加入，本群仅用于产品资讯交流，不构成投资建议。',
      member_list: [
        { userid: owner, type: 1, join_time: epoch + i * 86400, join_scene: 1 },
        ...members.map((m, j) => ({
          userid: m.contact.external_userid,
          type: 2 as const,
          unionid: m.contact.unionid,
          join_time: epoch + i * 86400 + j * 60,
          join_scene: 3,
          invitor: { userid: owner },
          name: m.contact.name,
        })),
      ],
      admin_list: [],
    });
  });

  return { departments, users, externalContacts, tagGroups: structuredClone(TAG_GROUPS), groupChats };
}
