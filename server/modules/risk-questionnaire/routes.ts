import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import { qualificationSchema } from '@shared/qualification';
import { questionnaireAnswersSchema, questionnaireDefinitionSchema, riskLevelCorrectionSchema } from '@shared/risk-questionnaire';
import { requirePermission } from '../../http/auth';
import { idParam, validate } from '../../http/validate';
import { correctRiskLevel, recordQualification } from '../customers/service';
import { callerOf, crmCallerOf } from '../org/caller';
import {
  confirmAnswers,
  createQuestionnaireLink,
  customerAssessments,
  listQuestionnaires,
  previewAnswers,
  publicQuestionnaire,
  publishQuestionnaire,
  type LinkSettings,
} from './service';

const tokenParam = z.object({ token: z.string().min(20).max(300) });

/**
 * 风险测评问卷 over HTTP (server/README.md#risk-questionnaire-风险测评问卷). The rep's side is behind
 * the login: a link for a customer in their scope (`customer.risk`), the customer's answered
 * questionnaires, and 合规's correction with a reason (`suitability.correct_level`). The customer's
 * side, under `/api/public/risk-survey/:token`, has no login: the signed link is the only key.
 */
export function riskQuestionnaireRoutes(deps: { sequelize: Sequelize; config: { sessionSecret: string; publicUrl: string } }): Router {
  const { sequelize } = deps;
  const settings: LinkSettings = { serverSecret: deps.config.sessionSecret, publicUrl: deps.config.publicUrl };
  const router = new Router({ prefix: '/api' });

  router.post('/customers/:id/risk-questionnaire-links', requirePermission('customer.risk'), async (ctx) => {
    ctx.status = 201;
    ctx.body = await createQuestionnaireLink(sequelize, settings, crmCallerOf(ctx), validate(idParam, ctx.params).id);
  });
  router.get('/customers/:id/risk-assessments', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { items: await customerAssessments(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id) };
  });
  // 合格投资者 (shared/qualification.ts): the rep records the evidence they checked; the ledger refuses buys without it.
  router.put('/customers/:id/qualification', requirePermission('customer.write'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await recordQualification(sequelize, crmCallerOf(ctx), id, validate(qualificationSchema, ctx.request.body));
  });
  router.post('/customers/:id/risk-level-corrections', requirePermission('suitability.correct_level'), async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    ctx.body = await correctRiskLevel(sequelize, crmCallerOf(ctx), id, validate(riskLevelCorrectionSchema, ctx.request.body));
  });

  // 管理: the versions, and a new one (never an edit of an answered version).
  router.get('/admin/risk-questionnaires', requirePermission('settings.manage'), async (ctx) => {
    ctx.body = { items: await listQuestionnaires(sequelize) };
  });
  router.post('/admin/risk-questionnaires', requirePermission('settings.manage'), async (ctx) => {
    ctx.status = 201;
    ctx.body = await publishQuestionnaire(sequelize, crmCallerOf(ctx), validate(questionnaireDefinitionSchema, ctx.request.body));
  });

  // The customer's page: no session, the token is the key (service.ts says what it proves).
  router.get('/public/risk-survey/:token', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = await publicQuestionnaire(sequelize, settings, validate(tokenParam, ctx.params).token);
  });
  router.post('/public/risk-survey/:token/preview', async (ctx) => {
    const { token } = validate(tokenParam, ctx.params);
    ctx.body = await previewAnswers(sequelize, settings, token, validate(questionnaireAnswersSchema, ctx.request.body).answers);
  });
  router.post('/public/risk-survey/:token/confirm', async (ctx) => {
    const { token } = validate(tokenParam, ctx.params);
    const { answers } = validate(questionnaireAnswersSchema, ctx.request.body);
    ctx.body = await confirmAnswers(sequelize, settings, token, answers, { userAgent: ctx.get('user-agent') || null, ip: ctx.ip || null });
  });
  return router;
}
