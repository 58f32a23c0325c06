/**
 * 客户群发's audience from the books in Chromium (issue 34): the manager aims it by 客户等级 and an
 * AUM band (and the other dimensions the form offers: source, tag, 产品类别, a held product, 负责人),
 * and the count the page shows is the server's for the same filter. At 375×812 and 1280×800;
 * screenshots in test/artifacts.
 */
import type { MassAudiencePreview } from '@shared/mass-messages';
import { nextPaint, screenshot } from '../helpers/browser';
import { useOutreachSuite } from '../helpers/outreach-suite';

describe('a 客户群发 aimed by 客户等级 and an AUM band', () => {
  const { open, api } = useOutreachSuite();

  for (const desktop of [false, true]) {
    it(`counts the customers of 高净值 with 50–300 万 of assets as the server does (${desktop ? '1280' : '375'} wide)`, async () => {
      const { matched } = await api().send<MassAudiencePreview>(
        'mgr-east',
        'POST',
        '/api/mass-messages/preview',
        { audience: { level: 'vip', aumMin: 500_000, aumBelow: 3_000_000 } },
        200,
      );
      const { page, errors } = await open('mgr-east', '/mass-messages/new', desktop);
      await page.getByTestId('mass-reach').waitFor();

      const aimed = page.waitForResponse(
        (r) => r.url().endsWith('/api/mass-messages/preview') && /"level":"vip".*"aumMin":500000,"aumBelow":3000000/.test(r.request().postData() ?? ''),
      );
      await page.getByTestId('mass-level').getByText('高净值', { exact: true }).click();
      await page.getByTestId('mass-aum').filter({ hasText: '50–300 万' }).click();
      await aimed;
      const counted = page.getByTestId('mass-preview').getByText(`${matched} 位`, { exact: true }).first();
      await counted.waitFor();
      await nextPaint(page);
      await screenshot(page, `outreach-audience-${desktop ? 1280 : 375}`);

      expect(await page.getByTestId('mass-holding').innerText()).toContain('不限');
      expect(await page.getByTestId('mass-owner').innerText()).toContain('全部负责人');
      expect(errors).toEqual([]);
    }, 60_000);
  }
});
