import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import { grant } from './0021_suitability';
import type { Migration } from './types';

/**
 * 风险测评问卷 answered by the customer (server/README.md#risk-questionnaire-风险测评问卷): versioned
 * questionnaires (version 1 seeded below), the signed single-use links a rep sends, and every
 * answered questionnaire with its answers, score, level, version, time and device. 《证券期货投资者
 * 适当性管理办法》第三十二条 keeps 适当性 records at least 20 years: assessments are never deleted.
 *
 * `suitability.correct_level` (合规 correcting a level with a reason) goes to the compliance role;
 * `customer.risk` stays with reps and now means sending the questionnaire, not typing a level.
 */
const GRANTS: Record<string, string[]> = { compliance: ['suitability.correct_level'] };

/**
 * Version 1, modelled on the common 普通投资者风险承受能力评估问卷 (the 基金业协会 sample questionnaire
 * of 《基金募集机构投资者适当性管理实施指引（试行）》 and the banks' 个人客户风险评估问卷): age, income,
 * assets and debt, experience, knowledge, goal, horizon, loss tolerance (办法第六条's facts).
 * 10 questions, 0–10 points each; C1 0–20, C2 21–40, C3 41–60, C4 61–80, C5 81–100.
 */
const DEFAULT_V1 = {
  title: '个人投资者风险承受能力评估问卷',
  questions: [
    {
      id: 'q1',
      text: '您的年龄是？',
      options: [
        { id: 'A', text: '18–30 岁', score: 8 },
        { id: 'B', text: '31–50 岁', score: 10 },
        { id: 'C', text: '51–60 岁', score: 5 },
        { id: 'D', text: '60 岁以上', score: 1 },
      ],
    },
    {
      id: 'q2',
      text: '您家庭的年收入约为？',
      options: [
        { id: 'A', text: '10 万元以下', score: 1 },
        { id: 'B', text: '10–50 万元', score: 4 },
        { id: 'C', text: '50–100 万元', score: 7 },
        { id: 'D', text: '100 万元以上', score: 10 },
      ],
    },
    {
      id: 'q3',
      text: '您可用于投资的资产（不含自住房产）约为？',
      options: [
        { id: 'A', text: '50 万元以下', score: 1 },
        { id: 'B', text: '50–300 万元', score: 4 },
        { id: 'C', text: '300–1000 万元', score: 7 },
        { id: 'D', text: '1000 万元以上', score: 10 },
      ],
    },
    {
      id: 'q4',
      text: '您目前的负债情况是？',
      options: [
        { id: 'A', text: '负债较重，超过家庭资产的一半', score: 0 },
        { id: 'B', text: '有一定负债，但在可承受范围内', score: 5 },
        { id: 'C', text: '没有负债', score: 10 },
      ],
    },
    {
      id: 'q5',
      text: '您投资股票、基金、理财等产品的经验有多久？',
      options: [
        { id: 'A', text: '没有经验', score: 0 },
        { id: 'B', text: '2 年以下', score: 3 },
        { id: 'C', text: '2–5 年', score: 6 },
        { id: 'D', text: '5 年以上', score: 10 },
      ],
    },
    {
      id: 'q6',
      text: '您对金融产品的了解程度是？',
      options: [
        { id: 'A', text: '基本不了解', score: 0 },
        { id: 'B', text: '了解一些，如存款、货币基金', score: 3 },
        { id: 'C', text: '比较了解，如债券、混合型基金', score: 6 },
        { id: 'D', text: '非常了解，包括股票、期货、私募等', score: 10 },
      ],
    },
    {
      id: 'q7',
      text: '您投资的主要目的是？',
      options: [
        { id: 'A', text: '保本为主，跑赢存款即可', score: 1 },
        { id: 'B', text: '稳健增值，可接受小幅波动', score: 4 },
        { id: 'C', text: '较高收益，可接受较大波动', score: 7 },
        { id: 'D', text: '追求高收益，可接受大幅波动', score: 10 },
      ],
    },
    {
      id: 'q8',
      text: '您计划的投资期限是？',
      options: [
        { id: 'A', text: '1 年以内', score: 1 },
        { id: 'B', text: '1–3 年', score: 5 },
        { id: 'C', text: '3 年以上', score: 10 },
      ],
    },
    {
      id: 'q9',
      text: '您能承受的最大投资亏损是？',
      options: [
        { id: 'A', text: '不能接受任何本金亏损', score: 0 },
        { id: 'B', text: '亏损 10% 以内', score: 3 },
        { id: 'C', text: '亏损 10%–30%', score: 7 },
        { id: 'D', text: '亏损 30% 以上', score: 10 },
      ],
    },
    {
      id: 'q10',
      text: '如果您的投资一个月内下跌 20%，您会？',
      options: [
        { id: 'A', text: '全部卖出，不再投资', score: 0 },
        { id: 'B', text: '卖出一部分', score: 3 },
        { id: 'C', text: '继续持有，等待回升', score: 7 },
        { id: 'D', text: '逢低加仓', score: 10 },
      ],
    },
  ],
  bands: [
    { min: 0, max: 20, level: 'C1' },
    { min: 21, max: 40, level: 'C2' },
    { min: 41, max: 60, level: 'C3' },
    { min: 61, max: 80, level: 'C4' },
    { min: 81, max: 100, level: 'C5' },
  ],
};

export const migration: Migration = {
  name: '0032_risk_questionnaire',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'risk_questionnaires',
      {
        ...id,
        version: { type: DataTypes.INTEGER, allowNull: false, unique: true },
        /** JSON of QuestionnaireDefinition (shared/risk-questionnaire.ts); never changed once saved. */
        definition: { type: DataTypes.TEXT, allowNull: false },
        /** The one `active` version is what new links use; older ones are `retired`. */
        status: { type: DataTypes.STRING(16), allowNull: false },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'risk_questionnaire_links',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        questionnaire_id: { type: DataTypes.INTEGER, allowNull: false },
        /** SHA-256 of the link's random nonce (hex): the token carries the nonce, the table only its hash. */
        nonce_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        created_by: { type: DataTypes.INTEGER, allowNull: false },
        expires_at: { type: DataTypes.DATE, allowNull: false },
        /** Set once, when the customer confirms: a used link never opens again. */
        used_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('risk_questionnaire_links', ['customer_id'], { name: 'risk_questionnaire_links_customer' });
    await q.createTable(
      'risk_assessments',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        questionnaire_id: { type: DataTypes.INTEGER, allowNull: false },
        link_id: { type: DataTypes.INTEGER, allowNull: false, unique: true },
        /** JSON: question id → option id, as answered. */
        answers: { type: DataTypes.TEXT, allowNull: false },
        score: { type: DataTypes.INTEGER, allowNull: false },
        risk_level: { type: DataTypes.STRING(2), allowNull: false },
        assessed_on: { type: DataTypes.DATEONLY, allowNull: false },
        expires_on: { type: DataTypes.DATEONLY, allowNull: false },
        confirmed_at: { type: DataTypes.DATE, allowNull: false },
        user_agent: { type: DataTypes.STRING(512), allowNull: true },
        ip: { type: DataTypes.STRING(64), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('risk_assessments', ['customer_id'], { name: 'risk_assessments_customer' });
    const now = new Date();
    await q.bulkInsert('risk_questionnaires', [
      { version: 1, definition: JSON.stringify(DEFAULT_V1), status: 'active', created_by: null, created_at: now, updated_at: now },
    ]);
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    await grant(q, GRANTS, true);
    await q.dropTable('risk_assessments');
    await q.dropTable('risk_questionnaire_links');
    await q.dropTable('risk_questionnaires');
  },
};
