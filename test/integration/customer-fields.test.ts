/**
 * The customer's KYC fields (证件类型, 证件号码, 出生日期), added through its field declaration
 * (shared/customers.ts) alone, on SQLite and MySQL: the migrated tables hold every declared column,
 * PATCH round-trips each field, a bad 居民身份证 number is a 400 naming it, the import reads the new
 * columns, the export writes them, and the audit log names them in Chinese — the number masked.
 */
import xlsx from 'node-xlsx';
import { QueryTypes } from 'sequelize';
import type { AuditLogView } from '@shared/audit';
import { CONTACT_FIELDS, CUSTOMER_FIELDS, type CustomerView } from '@shared/customers';
import type { FieldIssue, PageOf } from '@shared/http';
import type { ImportJobView } from '@shared/imports';
import { PARTNER_FIELDS } from '@shared/partners';
import { crmClient, type CrmClient } from '../helpers/crm';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';
import { startTestServer, syncOrg, type TestServer } from '../helpers/server';

type Row = (string | number | null)[];
/** Valid 居民身份证 numbers (GB 11643 check character). */
const ID_CARD = '11010519491231002X';
const OTHER_ID_CARD = '110101198005201236';

describe.each(databaseTargets())('customer KYC fields on $label', (target) => {
  let server: TestServer;
  let api: CrmClient;
  let seq = 0;

  beforeAll(async () => {
    server = await startTestServer({ target });
    await syncOrg(server);
    api = crmClient(server);
  });
  afterAll(() => server.close());

  const create = (body: Record<string, unknown> = {}) =>
    api.send<CustomerView>('rep-east-1', 'POST', '/api/customers', { type: 'individual', name: `KYC客户${++seq}`, ...body });
  const patch = async (c: CustomerView, body: Record<string, unknown>, expected = 200) => {
    const res = await (await api.as('rep-east-1')).json(`/api/customers/${c.id}`, 'PATCH', { version: c.version, ...body });
    expect(res.status).toBe(expected);
    return res;
  };
  const upload = async (file: Buffer, query: string) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), 'kyc.xlsx');
    return (await api.as('admin')).fetch(`/api/imports?${query}`, { method: 'POST', body: form });
  };
  const finished = async (id: number): Promise<ImportJobView> => {
    for (let i = 0; i < 400; i++) {
      const job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`import ${id} did not finish`);
  };
  const stored = async (name: string) =>
    (
      await server.db.sequelize.query<{ id_type: string | null; id_number: string | null; birth_date: string | null }>(
        'SELECT id_type, id_number, birth_date FROM customers WHERE name = ?',
        { replacements: [name], type: QueryTypes.SELECT },
      )
    ).map((r) => ({ ...r, birth_date: r.birth_date ? String(r.birth_date).slice(0, 10) : null }));

  it.each([
    ['customers', CUSTOMER_FIELDS],
    ['consignment_partners', PARTNER_FIELDS],
    ['customer_contacts', CONTACT_FIELDS],
  ] as const)('the migrated %s table has a column for every declared field', async (table, fields) => {
    const columns = Object.keys(await server.db.sequelize.getQueryInterface().describeTable(table));

    expect(columns).toEqual(expect.arrayContaining(Object.values(fields).map((f) => f.column)));
  });

  describe('PATCH', () => {
    it.each([
      ['idType', 'passport'],
      ['idNumber', 'E12345678'],
      ['birthDate', '1980-05-20'],
    ])('round-trips %s', async (field, value) => {
      const c = await create();

      const res = await patch(c, { [field]: value });
      const read = await api.get<CustomerView>('rep-east-1', `/api/customers/${c.id}`);

      expect(((await res.json()) as Record<string, unknown>)[field]).toBe(value);
      expect((read as unknown as Record<string, unknown>)[field]).toBe(value);
    });

    it('stores a 居民身份证 number with its type, full-width and lower-case x folded', async () => {
      const c = await create({ idType: 'resident_id', idNumber: '１１０１０５１９４９１２３１００２x', birthDate: '1949-12-31' });

      expect(c).toMatchObject({ idType: 'resident_id', idNumber: ID_CARD, birthDate: '1949-12-31' });
      expect(await stored(c.name)).toEqual([{ id_type: 'resident_id', id_number: ID_CARD, birth_date: '1949-12-31' }]);
    });

    it('clears the fields with null', async () => {
      const c = await create({ idType: 'passport', idNumber: 'E12345678', birthDate: '1980-05-20' });

      await patch(c, { idType: null, idNumber: '', birthDate: null });

      expect(await stored(c.name)).toEqual([{ id_type: null, id_number: null, birth_date: null }]);
    });
  });

  describe('a bad ID number', () => {
    const issuesOf = async (res: Response) => (await errorOf(res)).details as FieldIssue[];

    it('is a 400 naming idNumber in Chinese when sent with its type', async () => {
      const res = await (
        await api.as('rep-east-1')
      ).json('/api/customers', 'POST', { type: 'individual', name: '错号客户', idType: 'resident_id', idNumber: '110105194912310021' });

      expect(res.status).toBe(400);
      expect(await issuesOf(res)).toEqual([{ field: 'idNumber', message: '居民身份证号码的校验位不正确，请核对' }]);
    });

    it('is a 400 naming idNumber when the type on file is 居民身份证', async () => {
      const c = await create({ idType: 'resident_id', idNumber: ID_CARD });

      const res = await patch(c, { idNumber: '1101051949' }, 400);

      expect(await issuesOf(res)).toEqual([{ field: 'idNumber', message: '居民身份证号码应为 18 位，最后一位可以是 X' }]);
      expect(await stored(c.name)).toEqual([{ id_type: 'resident_id', id_number: ID_CARD, birth_date: null }]);
    });

    it('is a 400 when the type changes to 居民身份证 under a number that is not one', async () => {
      const c = await create({ idType: 'passport', idNumber: 'E12345678' });

      const res = await patch(c, { idType: 'resident_id' }, 400);

      expect((await issuesOf(res)).map((i) => i.field)).toEqual(['idNumber']);
    });

    it('is a 400 for a birth date in the future and an unknown type', async () => {
      const res = await (
        await api.as('rep-east-1')
      ).json('/api/customers', 'POST', { type: 'individual', name: '未来客户', idType: 'driver_licence', birthDate: '2999-01-01' });

      expect(res.status).toBe(400);
      expect((await issuesOf(res)).map((i) => i.field).sort()).toEqual(['birthDate', 'idType']);
    });
  });

  describe('import', () => {
    const file = xlsx.build([
      {
        name: 'Sheet1',
        data: [
          ['客户名称', '手机号', '证件类型', '证件号码', '出生日期'],
          ['导入KYC甲', '13711110001', '居民身份证', OTHER_ID_CARD, '1980-05-20'],
          ['导入KYC乙', '13711110002', 'passport', 'E7654321', '1975/3/1'],
          ['导入KYC丙', '13711110003', '居民身份证', '110101198005201237', ''],
        ] satisfies Row[],
        options: {},
      },
    ]);

    it('checks the new columns in a dry run, then commits them', async () => {
      const upload1 = await upload(file, 'kind=customers&mode=create&dryRun=true');
      const dry = await finished(((await upload1.json()) as ImportJobView).id);
      const before = await stored('导入KYC甲');

      const commitRes = await (await api.as('admin')).fetch(`/api/imports/${dry.id}/commit`, { method: 'POST' });
      const committed = await finished(((await commitRes.json()) as ImportJobView).id);

      expect(dry).toMatchObject({ status: 'succeeded', dryRun: true, created: 2, failed: 1, unknownColumns: [] });
      expect(dry.errors.map((e) => [e.row, e.column, e.message])).toEqual([[4, '证件号码', '居民身份证号码的校验位不正确，请核对']]);
      expect(before).toEqual([]);
      expect(committed).toMatchObject({ status: 'succeeded', dryRun: false, created: 2, failed: 1 });
      expect([...(await stored('导入KYC甲')), ...(await stored('导入KYC乙'))]).toEqual([
        { id_type: 'resident_id', id_number: OTHER_ID_CARD, birth_date: '1980-05-20' },
        { id_type: 'passport', id_number: 'E7654321', birth_date: '1975-03-01' },
      ]);
    });
  });

  it('exports the new columns, the type by its label, the ID number masked (a full export is approved first: approvals-export.test.ts)', async () => {
    const c = await create({ name: '导出KYC客户', idType: 'resident_id', idNumber: ID_CARD, birthDate: '1949-12-31' });

    const res = await (await api.as('admin')).fetch(`/api/customers/export.xlsx?keyword=${encodeURIComponent(c.name)}`);
    const [sheet] = xlsx.parse<Row>(Buffer.from(await res.arrayBuffer()));
    const [header, row] = sheet!.data;
    const cell = (name: string) => row![header!.indexOf(name)];

    expect(header).toEqual(expect.arrayContaining(['证件类型', '证件号码', '出生日期']));
    expect([cell('证件类型'), cell('证件号码'), cell('出生日期')]).toEqual(['居民身份证', '110***********002X', '1949-12-31']);
  });

  it('names the new fields in Chinese in the audit log, the ID number masked and never stored whole', async () => {
    const c = await create({ idType: 'resident_id', idNumber: ID_CARD });

    await patch(c, { idNumber: OTHER_ID_CARD, birthDate: '1980-05-20' });
    const log = (await api.get<PageOf<AuditLogView>>('admin', `/api/admin/audit-logs?entity=customer&entityId=${c.id}`)).items;
    const update = log.find((e) => e.action === 'customer.update')!;
    const created = log.find((e) => e.action === 'customer.create')!;
    const [leaked] = await server.db.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM audit_logs WHERE diff LIKE ? OR diff LIKE ?', {
      replacements: [`%${ID_CARD}%`, `%${OTHER_ID_CARD}%`],
      type: QueryTypes.SELECT,
    });

    expect(update.diff).toEqual({ id_number: ['110***********002X', '110***********1236'], birth_date: [null, '1980-05-20'] });
    expect(update.fieldLabels).toEqual({ id_number: '证件号码', birth_date: '出生日期' });
    expect(created.diff).toMatchObject({ idType: 'resident_id', idNumber: '110***********002X' });
    expect(created.fieldLabels).toMatchObject({ idType: '证件类型', idNumber: '证件号码', name: '客户名称' });
    expect(Number(leaked!.n)).toBe(0);
  });
});
