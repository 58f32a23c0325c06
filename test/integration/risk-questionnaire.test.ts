/**
 * 风险测评问卷 over the API (server/modules/risk-questionnaire): a rep sends a signed link, the
 * customer answers on the public endpoints without a login, the level lands on the customer; a
 * link cannot be replayed, forged for another customer or used after it expired; a rep cannot type
 * a level by hand, 合规 corrects one with a reason.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { PublicQuestionnaireView, QuestionnaireConfirmedView, QuestionnaireLinkView, RiskAssessmentView } from '@shared/risk-questionnaire';
import { businessDate } from '@shared/time';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { withoutHandTypedRiskLevels } from '../helpers/risk-levels';
import { Browser } from '../helpers/session';

/** Every answer the highest-scoring option but the loss questions: 10+10+10+10+10+10+10+10+3+3 = 86 → C5. */
const BOLD = { q1: 'B', q2: 'D', q3: 'D', q4: 'C', q5: 'D', q6: 'D', q7: 'D', q8: 'C', q9: 'B', q10: 'B' };
/** 1+1+1+0+0+0+1+1+0+0 = 5 → C1. */
const TIMID = { q1: 'D', q2: 'A', q3: 'A', q4: 'A', q5: 'A', q6: 'A', q7: 'A', q8: 'A', q9: 'A', q10: 'A' };

describe.each(databaseTargets())('risk questionnaire on $label', (target) => {
  const { server, api } = useCrmServer(target);
  let seq = 0;
  const query = <T extends object>(sql: string, replacements: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT });
  /** The customer's own phone: no cookie, no login. */
  const phone = () => new Browser(server.baseUrl);
  const customer = () => api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: `测评客户${++seq}` });
  const link = (customerId: number, userid = 'rep-east-1') =>
    api.send<QuestionnaireLinkView>(userid, 'POST', `/api/customers/${customerId}/risk-questionnaire-links`, {});
  const tokenOf = (l: QuestionnaireLinkView) => new URL(l.url).pathname.split('/').pop()!;
  const confirm = (token: string, answers: Record<string, string>) => phone().json(`/api/public/risk-survey/${token}/confirm`, 'POST', { answers });

  beforeAll(async () => {
    await withoutHandTypedRiskLevels(server.db.sequelize);
    // 合规 is 吴磊 (risk-1), as the demo's department default makes him.
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('gives the customer the questions without their scores, and the name masked', async () => {
    const c = await customer();
    const res = await phone().fetch(`/api/public/risk-survey/${tokenOf(await link(c.id))}`);

    expect(res.status).toBe(200);
    const view = (await res.json()) as PublicQuestionnaireView;
    expect(view).toMatchObject({ version: 1, customerName: '测***' });
    expect(view.questions).toHaveLength(10);
    expect(JSON.stringify(view)).not.toContain('score');
  });

  it('sets the level and the assessment dates from the confirmed answers, and keeps the answered questionnaire', async () => {
    const c = await customer();
    const token = tokenOf(await link(c.id));

    const res = await phone().fetch(`/api/public/risk-survey/${token}/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 MicroMessenger/8.0' },
      body: JSON.stringify({ answers: BOLD }),
    });

    expect(res.status).toBe(200);
    const today = businessDate(new Date());
    expect((await res.json()) as QuestionnaireConfirmedView).toMatchObject({ score: 86, level: 'C5', assessedOn: today });
    expect(await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`)).toMatchObject({ riskLevel: 'C5', riskAssessedOn: today });
    const { items } = await api.get<{ items: RiskAssessmentView[] }>('rep-east-1', `/api/customers/${c.id}/risk-assessments`);
    expect(items).toEqual([expect.objectContaining({ questionnaireVersion: 1, score: 86, level: 'C5', userAgent: 'Mozilla/5.0 MicroMessenger/8.0' })]);
    const [row] = await query<{ answers: string }>('SELECT answers FROM risk_assessments WHERE customer_id = ?', [c.id]);
    expect(JSON.parse(row!.answers)).toEqual(BOLD);
  });

  it('writes an audit row for the link and for the customer completing it', async () => {
    const c = await customer();
    await confirm(tokenOf(await link(c.id)), TIMID);

    const rows = await query<{ action: string; actor_label: string }>(
      'SELECT action, actor_label FROM audit_logs WHERE entity = ? AND entity_id = ? ORDER BY id',
      ['customer', String(c.id)],
    );
    expect(rows.filter((r) => r.action.startsWith('risk_assessment.'))).toEqual([
      { action: 'risk_assessment.link', actor_label: 'rep-east-1' },
      { action: 'risk_assessment.complete', actor_label: `customer:${c.id}` },
    ]);
  });

  it('shows the level before anything is stored when the customer asks for a preview', async () => {
    const c = await customer();
    const res = await phone().json(`/api/public/risk-survey/${tokenOf(await link(c.id))}/preview`, 'POST', { answers: TIMID });

    expect(await res.json()).toMatchObject({ level: 'C1', levelLabel: 'C1 保守型' });
    expect((await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`)).riskLevel).toBeNull();
  });

  it('refuses answers that leave a question out, naming it', async () => {
    const c = await customer();
    const { q10: _, ...partial } = TIMID;
    const res = await confirm(tokenOf(await link(c.id)), partial);

    expect(res.status).toBe(400);
    expect((await errorOf(res)).details).toEqual([{ field: 'answers.q10', message: '请选择一个选项' }]);
  });

  it('refuses a link replayed after it was used', async () => {
    const c = await customer();
    const token = tokenOf(await link(c.id));
    expect((await confirm(token, BOLD)).status).toBe(200);

    const again = await confirm(token, TIMID);

    expect(again.status).toBe(410);
    expect((await errorOf(again)).code).toBe('questionnaire_link_used');
    expect((await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`)).riskLevel).toBe('C5');
  });

  it('refuses a link altered to name another customer', async () => {
    const [mine, theirs] = [await customer(), await customer()];
    const [linkId, , expires, nonce, signature] = tokenOf(await link(mine.id)).split('.');
    const forged = [linkId, theirs.id, expires, nonce, signature].join('.');

    const res = await confirm(forged, BOLD);

    expect(res.status).toBe(404);
    expect((await errorOf(res)).code).toBe('questionnaire_link_invalid');
    expect((await api.get<CustomerView>('rep-east-1', `/api/customers/${theirs.id}`)).riskLevel).toBeNull();
  });

  it("refuses another link's signature on this link", async () => {
    const [a, b] = [await customer(), await customer()];
    const first = tokenOf(await link(a.id)).split('.');
    const second = tokenOf(await link(b.id)).split('.');

    const res = await phone().fetch(`/api/public/risk-survey/${[...first.slice(0, 4), second[4]].join('.')}`);

    expect((await errorOf(res)).code).toBe('questionnaire_link_invalid');
  });

  it('refuses a link past its expiry', async () => {
    const c = await customer();
    const l = await link(c.id);
    await server.db.sequelize.query('UPDATE risk_questionnaire_links SET expires_at = ? WHERE id = ?', { replacements: [new Date(Date.now() - 1000), l.id] });

    const res = await confirm(tokenOf(l), BOLD);

    expect(res.status).toBe(410);
    expect((await errorOf(res)).code).toBe('questionnaire_link_expired');
  });

  it("does not let a rep make a link for another rep's customer", async () => {
    const c = await customer();
    const res = await (await api.as('rep-south-1')).json(`/api/customers/${c.id}/risk-questionnaire-links`, 'POST', {});

    expect(res.status).toBe(404);
  });

  it('refuses a level a rep types by hand', async () => {
    const c = await customer();
    const res = await (
      await api.as('rep-east-1')
    ).json(`/api/customers/${c.id}`, 'PATCH', { version: c.version, riskLevel: 'C5', riskAssessedOn: businessDate(new Date()) });

    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe('risk_profile_forbidden');
  });

  it('lets 合规 correct a level with a reason, audited, and not a rep', async () => {
    const c = await customer();
    await confirm(tokenOf(await link(c.id)), TIMID);
    const byRep = await (
      await api.as('rep-east-1')
    ).json(`/api/customers/${c.id}/risk-level-corrections`, 'POST', { riskLevel: 'C2', reason: '客户补充了资产证明' });
    expect(byRep.status).toBe(403);

    const corrected = await api.send<CustomerView>(
      'risk-1',
      'POST',
      `/api/customers/${c.id}/risk-level-corrections`,
      { riskLevel: 'C2', reason: '客户补充了资产证明' },
      200,
    );

    expect(corrected.riskLevel).toBe('C2');
    const [row] = await query<{ summary: string }>('SELECT summary FROM audit_logs WHERE action = ? AND entity_id = ?', [
      'customer.risk_correct',
      String(c.id),
    ]);
    expect(row!.summary).toContain('客户补充了资产证明');
  });

  describe('versions', () => {
    const TWO_QUESTIONS = {
      title: '简版问卷',
      questions: [
        {
          id: 'q1',
          text: '您能承受多大亏损？',
          options: [
            { id: 'A', text: '不能亏损', score: 0 },
            { id: 'B', text: '可以接受较大亏损', score: 10 },
          ],
        },
        {
          id: 'q2',
          text: '投资期限？',
          options: [
            { id: 'A', text: '1 年以内', score: 0 },
            { id: 'B', text: '3 年以上', score: 10 },
          ],
        },
      ],
      bands: [
        { min: 0, max: 3, level: 'C1' },
        { min: 4, max: 7, level: 'C2' },
        { min: 8, max: 11, level: 'C3' },
        { min: 12, max: 15, level: 'C4' },
        { min: 16, max: 20, level: 'C5' },
      ],
    };

    it('refuses bands with a gap', async () => {
      const res = await (
        await api.as('admin')
      ).json('/api/admin/risk-questionnaires', 'POST', { ...TWO_QUESTIONS, bands: TWO_QUESTIONS.bands.map((b, i) => (i === 2 ? { ...b, min: 9 } : b)) });

      expect(res.status).toBe(400);
    });

    it('publishes a new version for new links, while a link made before keeps its own', async () => {
      const c = await customer();
      const before = tokenOf(await link(c.id));

      const published = await api.send<{ version: number; status: string }>('admin', 'POST', '/api/admin/risk-questionnaires', TWO_QUESTIONS);

      expect(published).toMatchObject({ version: 2, status: 'active' });
      const old = (await (await phone().fetch(`/api/public/risk-survey/${before}`)).json()) as PublicQuestionnaireView;
      expect(old).toMatchObject({ version: 1 });
      expect(old.questions).toHaveLength(10);
      const fresh = await link((await customer()).id);
      expect(fresh.questionnaireVersion).toBe(2);
      expect((await confirm(tokenOf(fresh), { q1: 'B', q2: 'B' })).status).toBe(200);
    });
  });

  it('refuses a correction without a reason', async () => {
    const c = await customer();
    const res = await (await api.as('risk-1')).json(`/api/customers/${c.id}/risk-level-corrections`, 'POST', { riskLevel: 'C2', reason: ' ' });

    expect(res.status).toBe(400);
  });
});
