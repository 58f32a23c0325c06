/**
 * 风险测评问卷 answered by the customer (server/README.md#risk-questionnaire-风险测评问卷).
 *
 * 《证券期货投资者适当性管理办法》(证监会令第130号, 2017; amended 2020):
 * - 第六条 / 第十条: the investor's risk tolerance is graded from what they tell the institution about
 *   their finances, knowledge, experience, goals and the loss they can bear — so the level is the
 *   customer's own answers scored, never a rep's guess;
 * - the investor's duty to give true information (办法; article number to be confirmed by 合规): the
 *   customer answers on their own device, and confirms the level shown to them;
 * - 第三十二条: the records of the 适当性 duty (here: answers, score, level, version, time, device)
 *   are kept, at least 20 years — rows of risk_assessments are never deleted or edited.
 *
 * A link is for one customer, signed (token.ts), expires after QUESTIONNAIRE_LINK_VALID_DAYS and is
 * used once: the confirm marks the row used in the same transaction that records the assessment and
 * updates the customer's level, so a replay finds it used and a second confirm at the same moment
 * loses the row's conditional update.
 */
import { Op, type Sequelize } from 'sequelize';
import type { CustomerRiskLevel } from '@shared/risk-profile';
import {
  QUESTIONNAIRE_LINK_VALID_DAYS,
  resultOf,
  scoreAnswers,
  type Answers,
  type PublicQuestionnaireView,
  type QuestionnaireConfirmedView,
  type QuestionnaireDefinition,
  type QuestionnaireLinkView,
  type QuestionnaireResultView,
  type QuestionnaireVersionView,
  type RiskAssessmentView,
} from '@shared/risk-questionnaire';
import { DEFAULT_ASSESSMENT_VALID_DAYS } from '@shared/risk-profile';
import { addDays, businessDate } from '@shared/time';
import { DomainError, notFound, validationFailed } from '../../errors';
import { audit, type Actor } from '../audit/service';
import { customerNameOf, loadVisibleCustomer, recordAssessedLevel } from '../customers/service';
import type { Access } from '../roles/access';
import type { Caller } from '../roles/ownership';
import { questionnaireModels, type QuestionnaireLinkRow, type QuestionnaireRow } from './models';
import { linkKey, newNonce, nonceHash, signLink, verifyLink } from './token';

export interface LinkSettings {
  /** The server secret the links are signed under (config SESSION_SECRET). */
  serverSecret: string;
  /** PUBLIC_URL: the page the link opens. */
  publicUrl: string;
}

/** The path of the customer's page (h5/src/router.ts, outside the login guard). */
export const PUBLIC_PAGE_PATH = '/risk-survey';

const invalid = () => new DomainError('not_found', 'questionnaire_link_invalid', '测评链接无效，请联系您的客户经理重新发送');
const expired = () => new DomainError('gone', 'questionnaire_link_expired', '测评链接已过期，请联系您的客户经理重新发送');
const used = () => new DomainError('gone', 'questionnaire_link_used', '该测评链接已完成，不能重复提交；如需重新测评请联系您的客户经理');

const definitionOf = (row: QuestionnaireRow) => JSON.parse(row.definition) as QuestionnaireDefinition;

/** The version new links use. */
async function activeQuestionnaire(sequelize: Sequelize): Promise<QuestionnaireRow> {
  const { Questionnaire } = questionnaireModels(sequelize);
  const row = (await Questionnaire.findOne({ where: { status: 'active' }, order: [['version', 'DESC']] }))?.get();
  if (!row) throw notFound('没有启用的风险测评问卷，请联系管理员');
  return row;
}

/** A rep (`customer.risk`) makes a link for a customer in their scope; audited. */
export async function createQuestionnaireLink(
  sequelize: Sequelize,
  settings: LinkSettings,
  caller: Caller,
  customerId: number,
): Promise<QuestionnaireLinkView> {
  const customer = await loadVisibleCustomer(sequelize, caller.access, customerId);
  const questionnaire = await activeQuestionnaire(sequelize);
  const { QuestionnaireLink } = questionnaireModels(sequelize);
  const nonce = newNonce();
  const expiresAt = new Date(Date.now() + QUESTIONNAIRE_LINK_VALID_DAYS * 86_400_000);
  expiresAt.setMilliseconds(0);
  const link = await sequelize.transaction(async (transaction) => {
    const row = await QuestionnaireLink.create(
      { customer_id: customer.id, questionnaire_id: questionnaire.id, nonce_hash: nonceHash(nonce), created_by: caller.access.userId, expires_at: expiresAt },
      { transaction },
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'risk_assessment.link',
        entity: 'customer',
        entityId: customer.id,
        summary: `向客户 ${customer.name} 发送风险测评（问卷第 ${questionnaire.version} 版）`,
      },
      { transaction },
    );
    return row.get();
  });
  const token = signLink(linkKey(settings.serverSecret), { linkId: link.id, customerId: customer.id, expires: expiresAt.getTime() / 1000, nonce });
  return {
    id: link.id,
    url: `${settings.publicUrl}${PUBLIC_PAGE_PATH}/${token}`,
    expiresAt: expiresAt.toISOString(),
    questionnaireVersion: questionnaire.version,
  };
}

/** The link a token names, if its signature, customer, nonce and expiry hold and it is unused. */
async function openLink(sequelize: Sequelize, settings: LinkSettings, token: string): Promise<{ link: QuestionnaireLinkRow; questionnaire: QuestionnaireRow }> {
  const claims = verifyLink(linkKey(settings.serverSecret), token);
  if (!claims) throw invalid();
  const { QuestionnaireLink, Questionnaire } = questionnaireModels(sequelize);
  const link = (await QuestionnaireLink.findByPk(claims.linkId))?.get();
  // Another customer's link, or a nonce that is not this link's: the same answer as a forged one.
  if (!link || link.customer_id !== claims.customerId || link.nonce_hash !== nonceHash(claims.nonce)) throw invalid();
  if (link.used_at) throw used();
  if (new Date(link.expires_at).getTime() <= Date.now()) throw expired();
  const questionnaire = (await Questionnaire.findByPk(link.questionnaire_id))!.get();
  return { link, questionnaire };
}

/** 王** — enough for the customer to see the link is theirs, nothing more to anyone holding it. */
const maskedName = (name: string) => (name.length <= 1 ? name : `${name.slice(0, 1)}${'*'.repeat(Math.min(name.length - 1, 3))}`);

/** What the public page shows: the questions and options, without their scores. */
export async function publicQuestionnaire(sequelize: Sequelize, settings: LinkSettings, token: string): Promise<PublicQuestionnaireView> {
  const { link, questionnaire } = await openLink(sequelize, settings, token);
  const name = await customerNameOf(sequelize, link.customer_id);
  if (name === null) throw invalid();
  const definition = definitionOf(questionnaire);
  return {
    customerName: maskedName(name),
    title: definition.title,
    version: questionnaire.version,
    expiresAt: new Date(link.expires_at).toISOString(),
    questions: definition.questions.map((q) => ({ id: q.id, text: q.text, options: q.options.map((o) => ({ id: o.id, text: o.text })) })),
  };
}

function scored(definition: QuestionnaireDefinition, answers: Answers): { score: number; level: CustomerRiskLevel } {
  const result = scoreAnswers(definition, answers);
  if (!result.ok) {
    throw validationFailed(
      '请回答全部题目',
      result.missing.map((id) => ({ field: `answers.${id}`, message: '请选择一个选项' })),
    );
  }
  return result;
}

/** The level the answers give, shown to the customer before they confirm (nothing is stored). */
export async function previewAnswers(sequelize: Sequelize, settings: LinkSettings, token: string, answers: Answers): Promise<QuestionnaireResultView> {
  const { questionnaire } = await openLink(sequelize, settings, token);
  const { score, level } = scored(definitionOf(questionnaire), answers);
  return resultOf(score, level);
}

/**
 * The customer confirms: in one transaction the link is marked used (only if still unused and
 * unexpired), the answered questionnaire is kept and the customer's level and assessment dates
 * are set, audited as the customer's own act.
 */
export async function confirmAnswers(
  sequelize: Sequelize,
  settings: LinkSettings,
  token: string,
  answers: Answers,
  device: { userAgent: string | null; ip: string | null },
): Promise<QuestionnaireConfirmedView> {
  const { link, questionnaire } = await openLink(sequelize, settings, token);
  const definition = definitionOf(questionnaire);
  const { score, level } = scored(definition, answers);
  const now = new Date();
  const assessedOn = businessDate(now);
  const expiresOn = addDays(assessedOn, DEFAULT_ASSESSMENT_VALID_DAYS);
  const kept = Object.fromEntries(definition.questions.map((q) => [q.id, answers[q.id]]));
  const { QuestionnaireLink, RiskAssessment } = questionnaireModels(sequelize);
  await sequelize.transaction(async (transaction) => {
    const [claimed] = await QuestionnaireLink.update({ used_at: now }, { where: { id: link.id, used_at: null, expires_at: { [Op.gt]: now } }, transaction });
    if (claimed !== 1) throw used();
    const assessment = await RiskAssessment.create(
      {
        customer_id: link.customer_id,
        questionnaire_id: questionnaire.id,
        link_id: link.id,
        answers: JSON.stringify(kept),
        score,
        risk_level: level,
        assessed_on: assessedOn,
        expires_on: expiresOn,
        confirmed_at: now,
        user_agent: device.userAgent?.slice(0, 512) ?? null,
        ip: device.ip,
      },
      { transaction },
    );
    const actor: Actor = { userId: null, label: `customer:${link.customer_id}`, ip: device.ip };
    await recordAssessedLevel(
      sequelize,
      link.customer_id,
      {
        level,
        assessedOn,
        expiresOn,
        summary: `客户本人完成风险测评（问卷第 ${questionnaire.version} 版）：${score} 分，${resultOf(score, level).levelLabel}`,
        diff: { assessmentId: assessment.get().id, questionnaireVersion: questionnaire.version, score, risk_level: level, linkId: link.id },
      },
      actor,
      transaction,
    );
  });
  return { ...resultOf(score, level), assessedOn, expiresOn };
}

/** A customer's answered questionnaires, newest first (the customer in the caller's scope). */
export async function customerAssessments(sequelize: Sequelize, access: Access, customerId: number): Promise<RiskAssessmentView[]> {
  await loadVisibleCustomer(sequelize, access, customerId);
  const { RiskAssessment, Questionnaire } = questionnaireModels(sequelize);
  const rows = (await RiskAssessment.findAll({ where: { customer_id: customerId }, order: [['id', 'DESC']], limit: 50 })).map((r) => r.get());
  const versions = new Map(
    (await Questionnaire.findAll({ where: { id: { [Op.in]: [...new Set(rows.map((r) => r.questionnaire_id))] } } })).map((q) => [q.get().id, q.get().version]),
  );
  return rows.map((r) => ({
    id: r.id,
    questionnaireVersion: versions.get(r.questionnaire_id) ?? 0,
    score: r.score,
    level: r.risk_level as CustomerRiskLevel,
    assessedOn: String(r.assessed_on),
    expiresOn: String(r.expires_on),
    confirmedAt: new Date(r.confirmed_at).toISOString(),
    userAgent: r.user_agent,
  }));
}

/** Every version, newest first (管理: the active one and those answered before). */
export async function listQuestionnaires(sequelize: Sequelize): Promise<QuestionnaireVersionView[]> {
  const rows = (await questionnaireModels(sequelize).Questionnaire.findAll({ order: [['version', 'DESC']] })).map((r) => r.get());
  return rows.map((r) => ({ id: r.id, version: r.version, status: r.status, definition: definitionOf(r), createdAt: new Date(r.created_at).toISOString() }));
}

/**
 * A new version (admin, `settings.manage`): it becomes the active one and the others retire — a
 * version is never edited, so an answered questionnaire stays tied to the questions it answered.
 */
export async function publishQuestionnaire(sequelize: Sequelize, caller: Caller, definition: QuestionnaireDefinition): Promise<QuestionnaireVersionView> {
  const { Questionnaire } = questionnaireModels(sequelize);
  const row = await sequelize.transaction(async (transaction) => {
    const latest = (await Questionnaire.max('version', { transaction })) as number | null;
    const version = (latest ?? 0) + 1;
    await Questionnaire.update({ status: 'retired' }, { where: { status: 'active' }, transaction });
    const created = await Questionnaire.create(
      { version, definition: JSON.stringify(definition), status: 'active', created_by: caller.access.userId },
      { transaction },
    );
    await audit(
      sequelize,
      caller.actor,
      {
        action: 'risk_questionnaire.publish',
        entity: 'settings',
        entityId: created.get().id,
        summary: `发布风险测评问卷第 ${version} 版：${definition.title}`,
      },
      { transaction },
    );
    return created.get();
  });
  return { id: row.id, version: row.version, status: row.status, definition, createdAt: new Date(row.created_at).toISOString() };
}
