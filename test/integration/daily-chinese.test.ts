/**
 * Chinese everywhere a user looks, and the transfer's small things (issue 36): roles named in
 * Chinese only, audit entries that name their subject, transfers that ask why and tell the
 * previous owner, events that name who they are about and explain WeCom's errors.
 */
import { QueryTypes } from 'sequelize';
import type { AuditLogView } from '@shared/audit';
import type { CustomerView } from '@shared/customers';
import type { PageOf } from '@shared/http';
import type { RoleView } from '@shared/permissions';
import { explainStoredError } from '../../server/wecom/errors';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

describe.each(databaseTargets())('Chinese names and transfers on $label', (target) => {
  const { server, api } = useCrmServer(target);
  const query = <T extends object>(sql: string, params: unknown[] = []) => server.db.sequelize.query<T>(sql, { replacements: params, type: QueryTypes.SELECT });
  const audits = async (action: string) => (await api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?action=${action}&pageSize=20`)).items;

  it('creates a role from a Chinese name alone, its code made from the pinyin', async () => {
    const role = await api.send<RoleView>('admin', 'POST', '/api/admin/roles', { name: '理财经理', dataScope: 'self', permissions: ['customer.read'] });
    const again = await api.send<RoleView>('admin', 'POST', '/api/admin/roles', { name: '理财经理助理', dataScope: 'self', permissions: ['customer.read'] });

    expect(role).toMatchObject({ name: '理财经理', code: 'r-lcjl' });
    expect(again.code).toBe('r-lcjlzl');
  });

  it('names the audit entry’s subject in Chinese instead of its key', async () => {
    await api.send('admin', 'PATCH', '/api/admin/dictionaries/customer_level/vip', { label: '贵宾客户' });

    const [entry] = await audits('dictionary.update');

    expect(entry!.subject).toBe('客户等级「贵宾客户」');
  });

  it('says whose target and which value', async () => {
    const rep = await api.userId('rep-east-1');
    await api.send('mgr-east', 'PUT', '/api/targets', { period: '2026-12', scopeType: 'user', scopeId: rep, metric: 'sales_amount', value: 500000 });

    const [entry] = await audits('target.set');

    expect(entry!.summary).toBe('设置目标：李娜 2026-12 销售额 50.00 万元');
    expect(entry!.subject).toBe('李娜 2026-12 销售额');
  });

  it('asks why a customer is transferred, audits it and tells the previous owner through WeCom', async () => {
    const c = await api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: '转移原因客户', phone: '13600009999' });
    const to = await api.userId('rep-east-2');

    await api.send('mgr-east', 'POST', '/api/transfers', { customerIds: [c.id], toUserId: to, reason: '区域调整' }, 200);
    const [entry] = (await audits('customer.transfer')).filter((a) => a.entityId === String(c.id));
    const cards = await query<{ title: string; description: string }>(
      "SELECT n.title, n.description FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.wecom_userid = 'rep-east-1' AND n.kind = 'transfer' ORDER BY n.id DESC",
    );

    expect(entry!.summary).toBe('转移 1 位客户给 王强（原因：区域调整）');
    expect(cards[0]!.title).toBe('1 位客户已转给 王强');
    expect(cards[0]!.description).toContain('转移原因客户');
    expect(cards[0]!.description).toContain('区域调整');
  });

  it('does not tell an owner who transferred their own customer', async () => {
    const c = await api.send<CustomerView>('mgr-east', 'POST', '/api/customers', { type: 'individual', name: '自己转移客户', phone: '13600008888' });
    const cards = () => query<{ n: number }>("SELECT COUNT(*) AS n FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.wecom_userid = 'mgr-east'");
    const before = await cards();

    await api.send('mgr-east', 'POST', '/api/transfers', { customerIds: [c.id], toUserId: await api.userId('rep-east-2') }, 200);

    expect(Number((await cards())[0]!.n)).toBe(Number(before[0]!.n));
  });

  it('explains a stored WeCom failure in Chinese, without the API path or English', () => {
    const text = explainStoredError('WeCom externalcontact/get failed: errcode 60020 not allow to access from your ip');

    expect(text).toMatch(/^企业微信「读取客户详情」失败（错误码 60020）：企业微信配置需要管理员处理：服务器出口 IP 不在应用的「企业可信IP」列表中/);
    expect(text).not.toMatch(/[a-z]{3,}\//);
  });
});
