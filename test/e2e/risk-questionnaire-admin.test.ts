/**
 * 管理 → 风险测评问卷 in Chromium: the admin opens it from 管理, sees version 1 in use, drafts a new
 * version from a copy of it, rewords a question, raises an option's score and moves a band, and
 * publishes: version 2 is in use, version 1 retired, and the server holds the edited definition.
 */
import type { QuestionnaireVersionView } from '@shared/risk-questionnaire';
import { loginThroughSimulator, nextPaint, openPhonePage, screenshot, type PhonePage } from '../helpers/browser';
import { crmClient } from '../helpers/crm';
import { useH5Suite } from '../helpers/h5-suite';

describe('管理 → 风险测评问卷: a new version from a copy of the active one', () => {
  let admin: PhonePage;
  const suite = useH5Suite({
    async setUp({ browser, server }) {
      admin = await openPhonePage(browser, server.baseUrl);
      await loginThroughSimulator(admin, '/admin', 'admin');
    },
  });

  it('publishes the edited copy as the active version', async () => {
    const { page } = admin;
    await page.getByTestId('admin-sections').getByText('风险测评问卷').click();
    await page.getByTestId('questionnaire-version').first().waitFor();
    expect(await page.getByTestId('questionnaire-version').first().innerText()).toContain('使用中');

    await page.getByTestId('questionnaire-draft').click();
    const first = page.getByTestId('questionnaire-question').first();
    await first.locator('textarea').first().fill('您的年龄段是？');
    await first.locator('.van-stepper__plus').first().click();
    await page.getByTestId('questionnaire-bands').locator('.van-stepper__plus').last().click();
    await nextPaint(page);
    await screenshot(page, 'risk-questionnaire-admin-editor', { screen: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await nextPaint(page);
    await screenshot(page, 'risk-questionnaire-admin-editor-desktop', { screen: true });
    await page.setViewportSize({ width: 375, height: 812 });

    await page.getByTestId('questionnaire-publish').click();
    await page.locator('.van-dialog__confirm').click();
    await page.getByTestId('questionnaire-editor').waitFor({ state: 'detached' });
    await page.getByTestId('questionnaire-version').filter({ hasText: '第 2 版' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'risk-questionnaire-admin-versions', { screen: true });

    const { items } = await crmClient(suite.server).get<{ items: QuestionnaireVersionView[] }>('admin', '/api/admin/risk-questionnaires');
    const v2 = items.find((v) => v.version === 2)!;
    expect(v2.status).toBe('active');
    expect(items.find((v) => v.version === 1)!.status).toBe('retired');
    expect(v2.definition.questions[0]!.text).toBe('您的年龄段是？');
    expect(admin.errors).toEqual([]);
  });
});
