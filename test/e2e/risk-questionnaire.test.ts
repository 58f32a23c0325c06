/**
 * 风险测评问卷 in Chromium: rep-east-1 opens 发送风险测评 on a customer's page and gets a link (QR
 * code and copy); the customer opens it on their own phone at 375×812 — WeChat's browser, no login
 * — answers every question, sees C5 激进型 and its meaning, confirms; the customer page then shows
 * the level, and the audit log has the customer's own act.
 */
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { crmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

const WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49(0x18003129) NetType/WIFI Language/zh_CN';
/** The boldest option of each question but the two on losses: 86 points, C5. */
const BOLD = { q1: 'B', q2: 'D', q3: 'D', q4: 'C', q5: 'D', q6: 'D', q7: 'D', q8: 'C', q9: 'B', q10: 'B' };

describe('风险测评问卷: the rep sends it, the customer answers on the public page at 375x812', () => {
  let rep: PhonePage;
  let customer: CustomerView;
  const suite = useH5Suite({
    async setUp({ browser, server }) {
      customer = await crmClient(server).send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '测评演示客户' });
      rep = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(rep, `/customers/${customer.id}`, 'rep-east-1');
    },
  });

  it('sets the level from the answers the customer confirmed, and audits it', async () => {
    const { page } = rep;
    await page.getByTestId('send-risk-survey').click();
    const url = new URL(await page.getByTestId('risk-survey-url').innerText());
    await page.getByTestId('risk-survey-qr').waitFor();
    await nextPaint(page);
    await screenshot(page, 'risk-survey-send-sheet', { screen: true });

    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, { userAgent: WECHAT_UA });
    await phone.page.goto(url.pathname);
    await phone.page.getByTestId('risk-survey-question').first().waitFor();
    expect(await phone.page.getByTestId('risk-survey-question').count()).toBe(10);
    await screenshot(phone.page, 'risk-survey-questions', { screen: true });
    await phone.page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(phone.page, 'risk-survey-questions-desktop', { screen: true });
    await phone.page.setViewportSize({ width: 375, height: 812 });
    for (const [q, option] of Object.entries(BOLD)) await phone.page.getByTestId(`option-${q}-${option}`).click();
    await phone.page.getByTestId('risk-survey-submit').click();
    await phone.page.getByTestId('risk-survey-result').waitFor();
    expect(await phone.page.getByTestId('risk-survey-level').innerText()).toBe('C5 激进型');
    expect(await phone.page.getByTestId('risk-survey-meaning').innerText()).toContain('R5');
    await screenshot(phone.page, 'risk-survey-result', { screen: true });
    await phone.page.getByTestId('risk-survey-confirm').click();
    await phone.page.getByTestId('risk-survey-done').waitFor();
    await screenshot(phone.page, 'risk-survey-done', { screen: true });
    expect(phone.errors).toEqual([]);

    await page.getByTestId('risk-survey-sheet').locator('.van-popup__close-icon').click();
    await page.reload();
    await page.getByTestId('customer-risk').waitFor();
    expect(await page.getByTestId('customer-risk').innerText()).toContain('C5 激进型');
    expect(await page.getByTestId('customer-qualification').innerText()).toContain('未认定');
    await screenshot(page, 'risk-survey-customer-card', { screen: true });
    await page.getByTestId('qualify-customer').click();
    await page.getByTestId('qualification-sheet').waitFor();
    await nextPaint(page);
    await screenshot(page, 'qualification-sheet', { screen: true });
    const audits = await suite.server.db.sequelize.query<{ actor_label: string }>(
      "SELECT actor_label FROM audit_logs WHERE action = 'risk_assessment.complete' AND entity = 'customer' AND entity_id = ?",
      { replacements: [String(customer.id)], type: QueryTypes.SELECT },
    );
    expect(audits).toEqual([{ actor_label: `customer:${customer.id}` }]);
    const [assessment] = await suite.server.db.sequelize.query<{ user_agent: string }>('SELECT user_agent FROM risk_assessments WHERE customer_id = ?', {
      replacements: [customer.id],
      type: QueryTypes.SELECT,
    });
    expect(assessment!.user_agent).toContain('MicroMessenger');
    await phone.context.close();
  });
});
