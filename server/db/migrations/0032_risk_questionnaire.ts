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
/** One question of the seed: its options are lettered A, B, C… in order, each given as [text, score]. */
function question(id: string, text: string, ...options: [string, number][]) {
  return { id, text, options: options.map(([label, score], i) => ({ id: String.fromCharCode(65 + i), text: label, score })) };
}

const DEFAULT_V1 = {
  title: '个人投资者风险承受能力评估问卷',
  // One question a line, so the seed reads like the printed questionnaire.
  // prettier-ignore
  questions: [
    question('q1', '您的年龄是？', ['18–30 岁', 8], ['31–50 岁', 10], ['51–60 岁', 5], ['60 岁以上', 1]),
    question('q2', '您家庭的年收入约为？', ['10 万元以下', 1], ['10–50 万元', 4], ['50–100 万元', 7], ['100 万元以上', 10]),
    question('q3', '您可用于投资的资产（不含自住房产）约为？', ['50 万元以下', 1], ['50–300 万元', 4], ['300–1000 万元', 7], ['1000 万元以上', 10]),
    question('q4', '您目前的负债情况是？', ['负债较重，超过家庭资产的一半', 0], ['有一定负债，但在可承受范围内', 5], ['没有负债', 10]),
    question('q5', '您投资股票、基金、理财等产品的经验有多久？', ['没有经验', 0], ['2 年以下', 3], ['2–5 年', 6], ['5 年以上', 10]),
    question('q6', '您对金融产品的了解程度是？', ['基本不了解', 0], ['了解一些，如存款、货币基金', 3], ['比较了解，如债券、混合型基金', 6], ['非常了解，包括股票、期货、私募等', 10]),
    question('q7', '您投资的主要目的是？', ['保本为主，跑赢存款即可', 1], ['稳健增值，可接受小幅波动', 4], ['较高收益，可接受较大波动', 7], ['追求高收益，可接受大幅波动', 10]),
    question('q8', '您计划的投资期限是？', ['1 年以内', 1], ['1–3 年', 5], ['3 年以上', 10]),
    question('q9', '您能承受的最大投资亏损是？', ['不能接受任何本金亏损', 0], ['亏损 10% 以内', 3], ['亏损 10%–30%', 7], ['亏损 30% 以上', 10]),
    question('q10', '如果您的投资一个月内下跌 20%，您会？', ['全部卖出，不再投资', 0], ['卖出一部分', 3], ['继续持有，等待回升', 7], ['逢低加仓', 10]),
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
