/**
 * A withdrawn request tells the approvers who were asked to decide it: they were sent 待你审批, and
 * should not open a request that no longer waits for them.
 */
import { QueryTypes } from 'sequelize';
import type { ProductView } from '@shared/products';
import { LEADER_ONLY, pendingException } from '../helpers/approvals';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const TODAY = new Date().toISOString().slice(0, 10);

describe.each(databaseTargets())('a withdrawn approval on $label', (target) => {
  const { server, api } = useCrmServer(target);
  beforeAll(() => api.send('admin', 'PUT', '/api/admin/approval-rules/suitability_exception', LEADER_ONLY, 200));

  const cardsOf = (userid: string, path: string) =>
    server.db.sequelize.query<{ title: string; description: string }>(
      'SELECT n.title, n.description FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.wecom_userid = ? AND n.path = ? ORDER BY n.id',
      { replacements: [userid, path], type: QueryTypes.SELECT },
    );

  it('sends the waiting approver a card saying the request was withdrawn', async () => {
    const product = await api.send<ProductView>('admin', 'POST', '/api/products', {
      code: 'WDR1',
      name: '撤回测试产品',
      category: 'public_fund',
      riskLevel: 'R4',
    });
    const approval = await pendingException(api, 'rep-east-1', { name: '撤回测试客户', phone: '13700009901' }, product.id, TODAY);

    expect((await (await api.as('rep-east-1')).json(`/api/approvals/${approval.id}/withdraw`, 'POST', {})).status).toBe(200);

    const cards = await cardsOf('mgr-east', `/approvals/${approval.id}`);
    expect(cards.map((c) => c.title)).toEqual(['待你审批：适当性例外', '申请已撤回：适当性例外']);
    expect(cards[1]!.description).toContain('已撤回，无需审批');
    expect(await cardsOf('rep-east-1', `/approvals/${approval.id}`)).toEqual([]);
  });
});
