/**
 * 风险测评问卷: the questionnaire a customer answers themselves, its scoring, and what each level
 * means (server/README.md#risk-questionnaire-风险测评问卷).
 *
 * 《证券期货投资者适当性管理办法》(证监会令第130号, 2017; amended 2020): 第六条 — before selling, an
 * institution learns the investor's finances (收入来源和数额、资产、债务), investment knowledge and
 * experience, investment goals (期限、品种、期望收益), risk preference and the loss they can bear;
 * 第十条 — an ordinary investor's risk tolerance is graded from those facts (our C1–C5); the
 * questionnaire's questions cover each of them. An answered questionnaire stays tied to the version
 * it was answered on (a later edit is a new version, never a change of an old one).
 */
import { z } from 'zod';
import { CUSTOMER_RISK_LABELS, CUSTOMER_RISK_LEVELS, type CustomerRiskLevel } from './risk-profile';

export interface QuestionnaireOption {
  /** `A`, `B`, … within its question. */
  id: string;
  text: string;
  score: number;
}

export interface QuestionnaireQuestion {
  /** `q1`, `q2`, … within its version. */
  id: string;
  text: string;
  options: QuestionnaireOption[];
}

/** A total score from `min` to `max` (inclusive) is `level`. */
export interface ScoreBand {
  min: number;
  max: number;
  level: CustomerRiskLevel;
}

export interface QuestionnaireDefinition {
  title: string;
  questions: QuestionnaireQuestion[];
  bands: ScoreBand[];
}

/** What each level means, as the customer reads it after answering (and 合规 in the record). */
export const RISK_LEVEL_MEANINGS: Record<CustomerRiskLevel, string> = {
  C1: '您的风险承受能力最低，希望本金基本不受损失，适合购买 R1（低风险）产品，例如货币市场基金、国债逆回购等。',
  C2: '您能承受较小的本金波动，适合购买 R2（中低风险）及以下产品，例如债券基金、稳健型理财产品。',
  C3: '您能承受一定的本金损失以换取较高收益，适合购买 R3（中风险）及以下产品，例如混合型基金。',
  C4: '您能承受较大的本金损失，追求较高收益，适合购买 R4（中高风险）及以下产品，例如股票型基金。',
  C5: '您能承受本金大幅损失甚至全部损失，追求高收益，可购买 R5（高风险）及以下全部产品。',
};

/** The level `score` falls in (the bands cover every score a version can give). */
export function levelOfScore(bands: readonly ScoreBand[], score: number): CustomerRiskLevel | null {
  return bands.find((b) => score >= b.min && score <= b.max)?.level ?? null;
}

/** An answer sheet: question id → option id. */
export type Answers = Record<string, string>;

/** The score and level of `answers`, or the questions left unanswered / answered with an unknown option. */
export function scoreAnswers(
  definition: QuestionnaireDefinition,
  answers: Answers,
): { ok: true; score: number; level: CustomerRiskLevel } | { ok: false; missing: string[] } {
  let score = 0;
  const missing: string[] = [];
  for (const q of definition.questions) {
    const option = q.options.find((o) => o.id === answers[q.id]);
    if (!option) missing.push(q.id);
    else score += option.score;
  }
  if (missing.length) return { ok: false, missing };
  const level = levelOfScore(definition.bands, score);
  return level ? { ok: true, score, level } : { ok: false, missing: [] };
}

/** A definition's own rules: options scored, bands covering 0 … the top score without gaps, in C order. */
export const questionnaireDefinitionSchema = z
  .object({
    title: z.string().trim().min(1, '请填写问卷标题').max(100),
    questions: z
      .array(
        z.object({
          id: z.string().regex(/^q\d{1,3}$/),
          text: z.string().trim().min(1, '请填写题目').max(300),
          options: z
            .array(
              z.object({ id: z.string().regex(/^[A-H]$/), text: z.string().trim().min(1, '请填写选项').max(200), score: z.number().int().min(0).max(100) }),
            )
            .min(2, '每题至少两个选项')
            .max(8),
        }),
      )
      .min(1, '至少一道题')
      .max(50),
    bands: z
      .array(z.object({ min: z.number().int().min(0), max: z.number().int().min(0), level: z.enum(CUSTOMER_RISK_LEVELS) }))
      .length(5, '应有 C1–C5 五个分数段'),
  })
  .superRefine((d, ctx) => {
    const top = d.questions.reduce((sum, q) => sum + Math.max(...q.options.map((o) => o.score)), 0);
    const bands = [...d.bands].sort((a, b) => a.min - b.min);
    let next = 0;
    bands.forEach((b, i) => {
      if (b.level !== CUSTOMER_RISK_LEVELS[i] || b.min !== next || b.max < b.min)
        ctx.addIssue({ code: 'custom', path: ['bands'], message: '分数段应从 0 起按 C1–C5 连续排列' });
      next = b.max + 1;
    });
    if (next <= top) ctx.addIssue({ code: 'custom', path: ['bands'], message: `分数段应覆盖到最高分 ${top}` });
  });

/** The customer's answers as the public page sends them. */
export const questionnaireAnswersSchema = z.object({
  answers: z.record(z.string().regex(/^q\d{1,3}$/), z.string().regex(/^[A-H]$/)),
});

/** A 合规 correction of a customer's level: the level and why (audited). */
export const riskLevelCorrectionSchema = z.object({
  riskLevel: z.enum(CUSTOMER_RISK_LEVELS, '风险等级应为 C1–C5'),
  reason: z.string().trim().min(1, '请填写更正原因').max(500, '更正原因不能超过 500 字'),
});

/** What the rep gets for a new link: where it points and until when it opens. */
export interface QuestionnaireLinkView {
  id: number;
  url: string;
  expiresAt: string;
  questionnaireVersion: number;
}

/** What the public page shows before the customer answers (no score: the page never computes a level). */
export interface PublicQuestionnaireView {
  /** The customer's name, masked (王**): enough to tell the link is theirs. */
  customerName: string;
  title: string;
  version: number;
  expiresAt: string;
  questions: { id: string; text: string; options: { id: string; text: string }[] }[];
}

/** The level a set of answers gives, before the customer confirms it. */
export interface QuestionnaireResultView {
  score: number;
  level: CustomerRiskLevel;
  levelLabel: string;
  meaning: string;
}

/** After the customer confirmed: the assessment as recorded. */
export interface QuestionnaireConfirmedView extends QuestionnaireResultView {
  assessedOn: string;
  expiresOn: string;
}

/** A questionnaire version as 管理 lists it. */
export interface QuestionnaireVersionView {
  id: number;
  version: number;
  status: 'active' | 'retired';
  definition: QuestionnaireDefinition;
  createdAt: string;
}

/** A customer's answered questionnaires, newest first (customer page, 合规). */
export interface RiskAssessmentView {
  id: number;
  questionnaireVersion: number;
  score: number;
  level: CustomerRiskLevel;
  assessedOn: string;
  expiresOn: string;
  confirmedAt: string;
  userAgent: string | null;
}

export function resultOf(score: number, level: CustomerRiskLevel): QuestionnaireResultView {
  return { score, level, levelLabel: `${level} ${CUSTOMER_RISK_LABELS[level]}`, meaning: RISK_LEVEL_MEANINGS[level] };
}

/** Days a link stays open after the rep made it. */
export const QUESTIONNAIRE_LINK_VALID_DAYS = 3;
