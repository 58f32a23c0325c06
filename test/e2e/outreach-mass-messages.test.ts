/**
 * 客户群发 in Chromium at 375×812 (issue 34): a manager builds a 群发 (the audience's count and a
 * preview of each customer's greeting), submits it to 合规; after approval a rep finds it under
 * 待发送; once the rep confirms in WeCom (the simulator) the manager's detail shows it sent. The
 * detail page at 1280×800 too. Screenshots in test/artifacts.
 */
import { nextPaint, screenshot } from '../helpers/browser';
import { useOutreachSuite } from '../helpers/outreach-suite';

describe('客户群发 from audience to sent, in Chromium at 375x812', () => {
  const { suite, open, approve } = useOutreachSuite();
  let massId: number;

  it('(1) the manager sees the audience counted and each greeting previewed, and submits to 合规', async () => {
    const { page, errors } = await open('mgr-east', '/mass-messages/new');
    await page.getByTestId('mass-reach').waitFor();
    const previewed = page.waitForResponse((r) => r.url().endsWith('/api/mass-messages/preview') && (r.request().postData() ?? '').includes('本周市场观点'));
    await page.getByTestId('mass-text').locator('textarea').fill('{称呼}您好，我是{销售}。本周市场观点已更新。');
    await previewed;
    await page.getByTestId('mass-sample').filter({ hasText: '本周市场观点' }).first().waitFor();
    await nextPaint(page);
    await screenshot(page, 'outreach-create-375');

    const samples = await page.getByTestId('mass-sample').allInnerTexts();
    expect(samples.join('\n')).toContain('您好，我是');
    await page.getByTestId('mass-submit').click();
    await Promise.race([page.waitForURL(/\/mass-messages\/\d+$/), page.locator('.error').first().waitFor()]);
    if (!/\/mass-messages\/\d+$/.test(page.url())) throw new Error(`not submitted: ${await page.locator('.error').allInnerTexts()}`);
    massId = Number(/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('mass-status').waitFor();
    expect(await page.getByTestId('mass-status').innerText()).toBe('待审核');
    await nextPaint(page);
    await screenshot(page, 'outreach-detail-pending-375', { screen: true });
    expect(errors).toEqual([]);
  }, 90_000);

  it('(2) after 合规 approves, the rep finds it under 待发送; once confirmed in WeCom the detail shows it sent', async () => {
    const task = await approve(massId);

    const rep = await open(task.sender_userid, '/mass-messages?tab=pending');
    await rep.page.getByTestId('mass-pending').waitFor();
    await nextPaint(rep.page);
    await screenshot(rep.page, 'outreach-pending-375', { screen: true });
    expect(await rep.page.getByTestId('mass-pending').innerText()).toContain('位客户');

    suite.server.simulator.api.massMessages.confirm(task.msgid, task.sender_userid);
    const { page } = await open('mgr-east', `/mass-messages/${massId}`);
    await page.getByTestId('mass-tasks').waitFor();
    expect(await page.getByTestId('mass-tasks').innerText()).toContain('已发送');
    await nextPaint(page);
    await screenshot(page, 'outreach-detail-sent-375', { screen: true });
    const desktop = await open('mgr-east', `/mass-messages/${massId}`, true);
    await desktop.page.getByTestId('mass-tasks').waitFor();
    await nextPaint(desktop.page);
    await screenshot(desktop.page, 'outreach-detail-1280', { screen: true });
  }, 90_000);
});
