import type { ImportJobView } from '@shared/imports';
import { sheetjs } from '../../server/modules/imports/workbook';
import type { CrmClient } from './crm';

/** Imports sales rows (客户系统编号, 产品代码, 销售金额（元）, 销售日期) as admin, not a dry run, and waits for the job to finish. */
export async function importSales(api: CrmClient, rows: (string | number)[][]): Promise<ImportJobView> {
  const sheet = sheetjs().build([{ name: 'Sheet1', data: [['客户系统编号', '产品代码', '销售金额（元）', '销售日期'], ...rows], options: {} }]);
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(sheet)]), 'sales.xlsx');
  const res = await (await api.as('admin')).fetch('/api/imports?kind=sales&dryRun=false', { method: 'POST', body: form });
  const { id } = (await res.json()) as ImportJobView;
  let job: ImportJobView;
  do job = await api.get<ImportJobView>('admin', `/api/imports/${id}`);
  while (job.status === 'queued' || job.status === 'running');
  return job;
}
