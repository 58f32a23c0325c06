import type { Context } from 'koa';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Sends a workbook as a download with a UTF-8 file name. */
export function sendWorkbook(ctx: Context, fileName: string, body: Buffer): void {
  ctx.set('Content-Disposition', `attachment; filename="export.xlsx"; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  ctx.type = XLSX_TYPE;
  ctx.body = body;
}
