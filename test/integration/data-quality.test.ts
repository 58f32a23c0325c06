/**
 * 运营's home (issue 32, deliverable 6): GET /api/dashboard/data-quality counts the caller's live
 * customers lacking a phone, a valid risk assessment, a WeCom link or a recent follow-up — on
 * SQLite and MySQL, on a database of this file's own customers.
 */
import type { DataQuality } from '@shared/dashboard';
import { addDays, businessDate } from '@shared/time';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

const TODAY = businessDate(new Date());

describe.each(databaseTargets())('数据质量 on $label', (target) => {
  const { api } = useCrmServer(target);
  const create = (body: Record<string, unknown>) => api.send('rep-east-1', 'POST', '/api/customers', { type: 'individual', ...body });

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('ops-1')}/roles`, { roles: ['operations'] }, 200);
    await create({ name: '齐全客户', phone: '13700001111', riskLevel: 'C3', riskAssessedOn: TODAY });
    await create({ name: '无手机客户', riskLevel: 'C3', riskAssessedOn: TODAY });
    await create({ name: '未测评客户', phone: '13700002222' });
    await create({
      name: '过期客户',
      phone: '13700003333',
      riskLevel: 'C3',
      riskAssessedOn: addDays(TODAY, -400),
      riskAssessmentExpiresOn: addDays(TODAY, -35),
    });
    await create({ name: '专业投资者', phone: '13700004444', investorClass: 'professional' });
  });

  it('counts what is missing in 运营’s scope (all customers)', async () => {
    expect(await api.get<DataQuality>('ops-1', '/api/dashboard/data-quality')).toEqual({
      customers: 5,
      missingPhone: 1,
      missingAssessment: 1,
      expiredAssessment: 1,
      unlinked: 5,
      quiet: 5,
    });
  });

  it('counts a rep’s own customers only, and refuses whoever may not see the boards', async () => {
    await api.send('rep-south-1', 'POST', '/api/customers', { type: 'individual', name: '华南客户' });

    expect((await api.get<DataQuality>('mgr-east', '/api/dashboard/data-quality')).customers).toBe(5);
    expect((await (await api.as('rep-east-1')).fetch('/api/dashboard/data-quality')).status).toBe(403);
  });
});
