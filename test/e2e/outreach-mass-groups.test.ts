/**
 * 客户群发 to 客户群 and with attachments in Chromium at 375×812 and 1280×800 (issue 34): a manager
 * picks 客户群 as the audience, sees the groups counted per owner, adds a link card, submits to 合规;
 * after approval and the owner's confirmation in WeCom (the simulator) the detail shows each group's
 * result. With {称呼} the create page says how many tasks the reps confirm and offers 不带称呼.
 * Screenshots in test/artifacts.
 */
import { nextPaint, screenshot } from '../helpers/browser';
import { useOutreachSuite } from '../helpers/outreach-suite';

describe('客户群发 to 客户群 with attachments, in Chromium', () => {
  const { suite, open, approve } = useOutreachSuite();
  let massId: number;

  it('(1) the manager picks 客户群, sees them counted per owner, adds a link and submits to 合规', async () => {
    const { page, errors } = await open('mgr-east', '/mass-messages/new');
    await page.getByTestId('mass-reach').waitFor();
    await page.getByTestId('mass-kind').filter({ hasText: '客户群' }).click();
    await page.getByTestId('mass-reach').filter({ hasText: '客户群' }).waitFor();
    await page.getByTestId('mass-text').locator('textarea').fill('大家好，我是{销售}。十二月市场观点已更新，欢迎查阅。');
    await page.getByTestId('mass-attach-link').click();
    const sheet = page.getByTestId('mass-attach-sheet');
    await sheet.locator('input').nth(0).fill('十二月市场观点');
    await sheet.locator('input').nth(1).fill('https://example.com/views/12');
    await page.getByTestId('mass-attach-save').click();
    await page.getByTestId('mass-attachment').filter({ hasText: '链接：十二月市场观点' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'outreach-groups-create-375');
    expect(await page.getByTestId('mass-sender').first().innerText()).toContain('确认 1 条');

    await page.getByTestId('mass-submit').click();
    await Promise.race([page.waitForURL(/\/mass-messages\/\d+$/), page.locator('.error').first().waitFor()]);
    if (!/\/mass-messages\/\d+$/.test(page.url())) throw new Error(`not submitted: ${await page.locator('.error').allInnerTexts()}`);
    massId = Number(/(\d+)$/.exec(page.url())![1]);
    await page.getByTestId('mass-groups').waitFor();
    expect(await page.getByTestId('mass-groups').innerText()).toContain('未发送（待审核）');
    expect(await page.getByTestId('mass-attachments').innerText()).toContain('链接：十二月市场观点');
    expect(errors).toEqual([]);
  }, 90_000);

  it('(2) after approval and the owner’s confirmation, the detail shows each group sent, at 375 and 1280', async () => {
    const task = await approve(massId);
    suite.server.simulator.api.massMessages.confirm(task.msgid, task.sender_userid);

    const { page, errors } = await open('mgr-east', `/mass-messages/${massId}`);
    await page.getByTestId('mass-groups').filter({ hasText: '已发送' }).waitFor();
    await nextPaint(page);
    await screenshot(page, 'outreach-groups-detail-375');
    expect(await page.getByTestId('mass-detail-reach').innerText()).toContain('个客户群');
    const desktop = await open('mgr-east', `/mass-messages/${massId}`, true);
    await desktop.page.getByTestId('mass-groups').waitFor();
    await nextPaint(desktop.page);
    await screenshot(desktop.page, 'outreach-groups-detail-1280', { screen: true });
    expect([...errors, ...desktop.errors]).toEqual([]);
  }, 90_000);

  it('(3) with {称呼} the create page says how many tasks the reps confirm, and 不带称呼 makes it one each', async () => {
    for (const desktop of [false, true]) {
      const { page, errors } = await open('mgr-east', '/mass-messages/new', desktop);
      await page.getByTestId('mass-reach').waitFor();
      await page.getByTestId('mass-text').locator('textarea').fill('{称呼}，您好！本周市场观点已更新。');
      await page.getByTestId('mass-task-count').waitFor();
      await nextPaint(page);
      await screenshot(page, `outreach-task-count-${desktop ? 1280 : 375}`, { screen: desktop });
      expect(await page.getByTestId('mass-task-count').innerText()).toMatch(/逐条确认 \d+ 条/);

      await page.getByTestId('mass-drop-greeting').click();
      await page.getByTestId('mass-task-count').waitFor({ state: 'detached' });
      expect(await page.getByTestId('mass-text').locator('textarea').inputValue()).toBe('您好！本周市场观点已更新。');
      expect(errors).toEqual([]);
    }
  }, 120_000);
});
