/**
 * Excel import and export over HTTP, on SQLite and MySQL: templates, a hand-made messy file,
 * files that are not spreadsheets, atomic batches, scope, and an export that imports back
 * unchanged. Workbooks are built in the test (node-xlsx) or read from test/fixtures/imports/.
 */
import { readFileSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import xlsx from 'node-xlsx';
import { QueryTypes } from 'sequelize';
import type { CustomerView } from '@shared/customers';
import type { ImportJobView } from '@shared/imports';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';
import { errorOf } from '../helpers/http';

const FIXTURES = join(__dirname, '../fixtures/imports');
type Row = (string | number | null)[];

const workbook = (rows: Row[], name = 'Sheet1') => xlsx.build([{ name, data: rows, options: {} }]);
const sheetOf = (body: ArrayBuffer) => xlsx.parse<Row>(Buffer.from(body));

describe.each(databaseTargets())('Excel import and export on $label', (target) => {
  const { server, api, count } = useCrmServer(target, { env: { IMPORT_BATCH_SIZE: '3' } });

  beforeAll(async () => {
    // A manager who may import too (the stock manager role may not).
    const admin = await api.as('admin');
    await admin.json('/api/admin/roles', 'POST', {
      code: 'importer',
      name: '数据导入',
      dataScope: 'self',
      permissions: ['import.run', 'customer.read', 'customer.export'],
    });
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('mgr-east')}/roles`, { roles: ['manager', 'importer'] });
  });

  const upload = async (userid: string, file: Buffer, query: string, fileName = 'customers.xlsx') => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(file)]), fileName);
    return (await api.as(userid)).fetch(`/api/imports?${query}`, { method: 'POST', body: form });
  };
  const finished = async (userid: string, id: number): Promise<ImportJobView> => {
    for (let i = 0; i < 400; i++) {
      const job = await api.get<ImportJobView>(userid, `/api/imports/${id}`);
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`import ${id} did not finish`);
  };
  const importFile = async (userid: string, file: Buffer, query: string) => {
    const res = await upload(userid, file, query);
    if (res.status !== 202) throw new Error(`upload: ${res.status} ${await res.text()}`);
    return finished(userid, ((await res.json()) as ImportJobView).id);
  };

  describe('templates', () => {
    it('has Chinese headers with the required ones starred, an example row, and the allowed values', async () => {
      const res = await (await api.as('admin')).fetch('/api/imports/templates/customers.xlsx');
      const [sheet, values] = sheetOf(await res.arrayBuffer());

      expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('客户导入模板.xlsx'));
      expect(sheet!.data[0]!.slice(0, 3)).toEqual(['客户名称*', '客户类型', '手机号']);
      expect(sheet!.data[1]![0]).toBe('张伟');
      expect(values!.name).toBe('可选值');
      expect(values!.data.map((r) => r[3]).filter(Boolean)).toEqual(['客户等级', '高净值', '重要', '普通', '潜在']);
    });

    it('round-trips: the filled template imports into records equal to its rows', async () => {
      const [sheet] = sheetOf(await (await (await api.as('admin')).fetch('/api/imports/templates/partners.xlsx')).arrayBuffer());
      const header = sheet!.data[0]!;
      const rows: Row[] = [
        ['模板银行', '银行', '已签约', '91310000MA1FL4XQ3K', '周经理', '021-6888 8888', '上海市黄浦区中山东一路 1 号', '2026-03-01', '王强', '', '模板导入'],
        ['模板证券', '证券公司', '', '', '', '', '', '', '', 'rep-east-3', ''],
      ];

      const job = await importFile('admin', workbook([header, ...rows]), 'kind=partners&mode=create&dryRun=false');
      const stored = await server.db.sequelize.query<Record<string, unknown>>(
        "SELECT p.name, p.type, p.status, p.credit_code, p.contact_name, p.contact_phone, p.address, p.agreement_signed_on, p.notes, u.wecom_userid AS owner FROM consignment_partners p JOIN users u ON u.id = p.owner_user_id WHERE p.name LIKE '模板%' ORDER BY p.name",
        { type: QueryTypes.SELECT },
      );

      expect(job).toMatchObject({ status: 'succeeded', total: 2, created: 2, failed: 0, skipped: 0, progress: 100 });
      expect(stored.map((p) => ({ ...p, agreement_signed_on: p.agreement_signed_on ? String(p.agreement_signed_on).slice(0, 10) : null }))).toEqual([
        {
          name: '模板证券',
          type: 'securities',
          status: 'negotiating',
          credit_code: null,
          contact_name: null,
          contact_phone: null,
          address: null,
          agreement_signed_on: null,
          notes: null,
          owner: 'rep-east-3',
        },
        {
          name: '模板银行',
          type: 'bank',
          status: 'signed',
          credit_code: '91310000MA1FL4XQ3K',
          contact_name: '周经理',
          contact_phone: '02168888888',
          address: '上海市黄浦区中山东一路 1 号',
          agreement_signed_on: '2026-03-01',
          notes: '模板导入',
          owner: 'rep-east-2',
        },
      ]);
    });
  });

  describe('a messy file (test/fixtures/imports/messy-customers.xlsx)', () => {
    let job: ImportJobView;
    beforeAll(async () => {
      job = await importFile('admin', readFileSync(join(FIXTURES, 'messy-customers.xlsx')), 'kind=customers&mode=create&dryRun=false');
    });

    it('finds the header below the title rows through merged cells, and reports the unknown column', () => {
      expect(job.unknownColumns).toEqual(['生日']);
    });

    it('counts the seven data rows: three created, three failed, one duplicate skipped', () => {
      expect(job).toMatchObject({ status: 'succeeded', total: 7, processed: 7, created: 3, failed: 3, skipped: 1 });
    });

    it('names each problem by row and column', () => {
      expect(job.errors.map((e) => [e.row, e.column, e.message])).toEqual([
        [8, 'E-mail', '邮箱格式不正确'],
        [9, '客户等级', '不是有效的客户等级，可选：高净值、重要、普通、潜在'],
        [10, null, '重复：与第 6 行是同一客户（手机号 13800138000）'],
        [11, 'Owner', '找不到负责人「不存在的人」：请填写在职同事的姓名或企业微信账号'],
      ]);
    });

    it('stores full-width and +86 phones normalised, owners by userid or name, the importer by default', async () => {
      const rows = await server.db.sequelize.query<{ name: string; phone: string; owner: string; level: string | null; source: string }>(
        "SELECT c.name, c.phone, u.wecom_userid AS owner, c.level, c.source FROM customers c JOIN users u ON u.id = c.owner_user_id WHERE c.name IN ('张三', '钱七', '孙八') ORDER BY c.phone DESC",
        { type: QueryTypes.SELECT },
      );

      expect(rows).toEqual([
        { name: '张三', phone: '13800138000', owner: 'rep-east-1', level: 'important', source: 'referral' },
        { name: '钱七', phone: '13500135000', owner: 'rep-east-2', level: 'vip', source: 'event' },
        { name: '孙八', phone: '13400134000', owner: 'admin', level: null, source: 'event' },
      ]);
    });

    it('gives back the failed rows as uploaded with their reasons', async () => {
      const res = await (await api.as('admin')).fetch(`/api/imports/${job.id}/errors.xlsx`);
      const [report] = sheetOf(await res.arrayBuffer());

      expect(report!.data[0]).toEqual(['客户名称', '手机号', 'E-mail', 'Institution', '客户等级', 'Owner', '生日', 'source', '错误原因', '原行号']);
      expect(report!.data.slice(1).map((r) => [r[0], r[9]])).toEqual([
        ['李四', 8],
        ['王五', 9],
        ['张三', 10],
        ['赵六', 11],
      ]);
      expect(report!.data[1]![1]).toBe(13900139000);
      expect(report!.data[1]![8]).toBe('E-mail：邮箱格式不正确');
    });

    it('is the importer’s alone', async () => {
      expect((await (await api.as('mgr-east')).fetch(`/api/imports/${job.id}`)).status).toBe(404);
    });
  });

  describe('files that are not a customer sheet', () => {
    const refused = async (file: Buffer) => {
      const before = await count('SELECT COUNT(*) AS n FROM import_jobs');
      const res = await upload('admin', file, 'kind=customers&dryRun=true');
      return { status: res.status, message: (await errorOf(res)).message, jobsAdded: (await count('SELECT COUNT(*) AS n FROM import_jobs')) - before };
    };

    it('refuses a renamed text file', async () => {
      expect(await refused(readFileSync(join(FIXTURES, 'not-a-spreadsheet.xlsx')))).toEqual({
        status: 400,
        message: expect.stringContaining('不是有效的 .xlsx'),
        jobsAdded: 0,
      });
    });

    it('refuses an empty workbook', async () => {
      expect(await refused(readFileSync(join(FIXTURES, 'empty.xlsx')))).toEqual({ status: 400, message: expect.stringContaining('文件是空的'), jobsAdded: 0 });
    });

    it('refuses a zip that inflates to hundreds of megabytes, without inflating it', async () => {
      expect(await refused(zipOf('xl/worksheets/sheet1.xml', Buffer.alloc(450 * 1024 * 1024, 0x20)))).toEqual({
        status: 400,
        message: expect.stringContaining('解压后过大'),
        jobsAdded: 0,
      });
    });

    it('refuses more rows than one import takes', async () => {
      const rows: Row[] = [['客户名称'], ...Array.from({ length: 100_100 }, (_, i) => [`客户${i}`])];

      expect(await refused(workbook(rows))).toEqual({ status: 400, message: expect.stringContaining('一次最多导入 100,000 行'), jobsAdded: 0 });
    });

    it('refuses a file without the required column before reading any row', async () => {
      expect(
        await refused(
          workbook([
            ['手机号', '邮箱'],
            ['13800000001', 'a@example.com'],
          ]),
        ),
      ).toEqual({ status: 400, message: expect.stringContaining('缺少必填列：客户名称'), jobsAdded: 0 });
    });

    it('answers 413 above the size limit', async () => {
      const res = await upload('admin', Buffer.alloc(11 * 1024 * 1024), 'kind=customers');

      expect(res.status).toBe(413);
    });

    it('is only for holders of import.run', async () => {
      expect((await upload('rep-east-1', workbook([['客户名称'], ['某人']]), 'kind=customers')).status).toBe(403);
    });
  });

  describe('dry run and commit', () => {
    it('checks everything and writes nothing but the job; committing then writes the rows', async () => {
      const file = workbook([
        ['客户名称', '手机号'],
        ['试导入甲', '13811110001'],
        ['试导入乙', '13811110002'],
      ]);
      const before = await count('SELECT COUNT(*) AS n FROM customers');

      const dry = await importFile('admin', file, 'kind=customers&dryRun=true');
      const afterDry = await count('SELECT COUNT(*) AS n FROM customers');
      const commitRes = await (await api.as('admin')).fetch(`/api/imports/${dry.id}/commit`, { method: 'POST' });
      const committed = await finished('admin', ((await commitRes.json()) as ImportJobView).id);

      expect(dry).toMatchObject({ dryRun: true, status: 'succeeded', created: 2, processed: 2 });
      expect(afterDry).toBe(before);
      expect(committed).toMatchObject({ dryRun: false, created: 2 });
      expect(await count('SELECT COUNT(*) AS n FROM customers')).toBe(before + 2);
    });
  });

  describe('atomic batches', () => {
    it('rolls back the failing batch whole, keeps the batches before and after, and reports its rows', async () => {
      // A write failure inside batch 3 (rows 8–10): the database itself refuses one name.
      const db = server.db.sequelize;
      await db.query(
        target.label === 'sqlite'
          ? "CREATE TRIGGER refuse_import BEFORE INSERT ON customers WHEN NEW.name = '批次故障' BEGIN SELECT RAISE(ABORT, 'forced failure'); END"
          : "CREATE TRIGGER refuse_import BEFORE INSERT ON customers FOR EACH ROW BEGIN IF NEW.name = '批次故障' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END IF; END",
      );
      const names = ['批次一', '批次二', '批次三', '批次四', '批次五', '批次六', '批次七', '批次故障', '批次九', '批次十', '批次十一'];
      try {
        const job = await importFile('admin', workbook([['客户名称'], ...names.map((n) => [n])]), 'kind=customers&dryRun=false');
        const stored = await db.query<{ name: string }>("SELECT name FROM customers WHERE name LIKE '批次%'", { type: QueryTypes.SELECT });

        expect(job).toMatchObject({ status: 'succeeded', total: 11, created: 8, failed: 3 });
        expect(job.errors.map((e) => e.row)).toEqual([8, 9, 10]);
        expect(job.errors[0]!.message).toContain('本批（第 8–10 行）写入失败，整批未写入');
        expect(stored.map((s) => s.name).sort()).toEqual(names.filter((n) => !['批次七', '批次故障', '批次九'].includes(n)).sort());
      } finally {
        await db.query('DROP TRIGGER refuse_import');
      }
    });
  });

  describe('scope and upsert', () => {
    let southCustomer: CustomerView;
    beforeAll(async () => {
      southCustomer = await api.send<CustomerView>('rep-south-1', 'POST', '/api/customers', { type: 'individual', name: '华南老客户', phone: '13922220001' });
    });

    it('updates a matching customer in upsert mode and reports it as a duplicate in create mode', async () => {
      const mine = await api.send<CustomerView>('admin', 'POST', '/api/customers', { type: 'individual', name: '待更新客户', phone: '13922220002' });
      const file = workbook([
        ['客户名称', '手机号', '客户等级'],
        ['待更新客户', '139 2222 0002', '高净值'],
      ]);

      const created = await importFile('admin', file, 'kind=customers&mode=create&dryRun=false');
      const upserted = await importFile('admin', file, 'kind=customers&mode=upsert&dryRun=false');
      const after = await api.get<CustomerView>('admin', `/api/customers/${mine.id}`);

      expect(created).toMatchObject({ skipped: 1, updated: 0, created: 0 });
      expect(upserted).toMatchObject({ updated: 1, skipped: 0, failed: 0 });
      expect([after.level, after.version]).toEqual(['vip', mine.version + 1]);
    });

    it('cannot update a customer outside the importer’s scope', async () => {
      const job = await importFile(
        'mgr-east',
        workbook([
          ['客户名称', '手机号', '客户等级'],
          ['华南老客户', '13922220001', '重要'],
        ]),
        'kind=customers&mode=upsert&dryRun=false',
      );
      const after = await server.db.sequelize.query<{ level: string | null }>('SELECT level FROM customers WHERE id = ?', {
        replacements: [southCustomer.id],
        type: QueryTypes.SELECT,
      });

      expect(job).toMatchObject({ failed: 1, updated: 0 });
      expect(job.errors[0]!.message).toContain('不在你的数据范围内，不能更新');
      expect(after[0]!.level).toBeNull();
    });

    it('exports only what the caller sees, audited, and the export imports back unchanged', async () => {
      const manager = await api.as('mgr-east');
      const res = await manager.fetch('/api/customers/export.xlsx');
      const file = Buffer.from(await res.arrayBuffer());
      const [sheet] = xlsx.parse<Row>(file);
      const visible = await api.get<{ total: number }>('mgr-east', '/api/customers?pageSize=1');
      const audited = await count("SELECT COUNT(*) AS n FROM audit_logs WHERE action = 'customer.export' AND actor_label = 'mgr-east'");

      const again = await importFile('mgr-east', file, 'kind=customers&mode=upsert&dryRun=false');

      expect(sheet!.data.length - 1).toBe(visible.total);
      expect(sheet!.data.some((r) => r[0] === '华南老客户')).toBe(false);
      expect(sheet!.data[0]).toEqual([
        '客户名称',
        '客户类型',
        '手机号',
        '邮箱',
        '单位/机构',
        '职务',
        '客户阶段',
        '客户来源',
        '客户等级',
        '客户状态',
        '证件类型',
        '证件号码',
        '出生日期',
        '风险等级',
        '投资者类别',
        '测评日期',
        '测评有效期至',
        '负责人',
        '负责人账号',
        '备注',
        '系统编号',
      ]);
      expect(audited).toBe(1);
      expect(again).toMatchObject({ total: visible.total, created: 0, updated: 0, failed: 0, skipped: visible.total });
    });
  });
});

/** A one-entry zip (deflated), as an .xlsx is built — here holding `content` under `name`. */
function zipOf(name: string, content: Buffer): Buffer {
  const data = deflateRawSync(content, { level: 9 });
  const fileName = Buffer.from(name);
  const local = record(30, { 0: [4, 0x04034b50], 4: [2, 20], 8: [2, 8], 18: [4, data.length], 22: [4, content.length], 26: [2, fileName.length] });
  const central = record(46, {
    0: [4, 0x02014b50],
    4: [2, 20],
    6: [2, 20],
    10: [2, 8],
    20: [4, data.length],
    24: [4, content.length],
    28: [2, fileName.length],
  });
  const end = record(22, { 0: [4, 0x06054b50], 8: [2, 1], 10: [2, 1], 12: [4, 46 + fileName.length], 16: [4, 30 + fileName.length + data.length] });
  return Buffer.concat([local, fileName, data, central, fileName, end]);
}

/** A zip record of `size` bytes: at each offset a little-endian field of 2 or 4 bytes; the rest zero. */
function record(size: number, fields: Record<number, [bytes: 2 | 4, value: number]>): Buffer {
  const buffer = Buffer.alloc(size);
  for (const [offset, [bytes, value]] of Object.entries(fields)) {
    if (bytes === 2) buffer.writeUInt16LE(value, Number(offset));
    else buffer.writeUInt32LE(value, Number(offset));
  }
  return buffer;
}
