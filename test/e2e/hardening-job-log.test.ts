/** 管理 → 后台任务 in Chromium at 375×812: an admin sees a failed job by what it does and why, and retries it. */
import { QueryTypes } from 'sequelize';
import { loginThroughSimulator, openPhonePage, screenshot } from '../helpers/browser';
import { useH5Suite } from '../helpers/h5-suite';

describe('the admin job log in Chromium at 375x812', () => {
  const suite = useH5Suite();

  it('lists a failed job with its reason in Chinese and queues it again on 重试', async () => {
    const sequelize = suite.server.db.sequelize;
    const customerId = 1;
    // A remark write-back that died in a WeCom outage (the job engine writes last_error in Chinese).
    const now = new Date();
    await sequelize.query(
      `INSERT INTO jobs (kind, payload, status, attempts, run_at, last_error, finished_at, created_at, updated_at)
       VALUES ('customer.phone_changed', ?, 'dead', 8, ?, '企业微信系统繁忙，约 30 秒后可再试', ?, ?, ?)`,
      { replacements: [JSON.stringify({ customerId, previous: null }), now, now, now, now] },
    );
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl);
    const { page, errors } = phone;
    await loginThroughSimulator(phone, '/admin', 'admin');

    const row = page.getByTestId('job-log').getByTestId('job-row').filter({ hasText: '手机号回写企业微信备注' });
    await row.getByTestId('job-error').getByText('企业微信系统繁忙').waitFor();
    await screenshot(page, 'admin-job-log');
    await row.getByTestId('job-retry').click();
    await page.getByText('已重新排队，稍后自动执行').waitFor();
    const [job] = await sequelize.query<{ status: string }>("SELECT status FROM jobs WHERE kind = 'customer.phone_changed' ORDER BY id DESC LIMIT 1", {
      type: QueryTypes.SELECT,
    });

    expect(job!.status).not.toBe('dead');
    expect(errors).toEqual([]);
    await phone.context.close();
  }, 60_000);
});
