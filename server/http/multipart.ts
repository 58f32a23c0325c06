/**
 * One uploaded file from a `multipart/form-data` request, read into memory up to a limit.
 * Over the limit the upload is abandoned with a 413; no other field is kept.
 */
import busboy from 'busboy';
import type { Context } from 'koa';
import { payloadTooLarge, validationFailed } from '../errors';

export interface UploadedFile {
  fileName: string;
  body: Buffer;
}

export function readUploadedFile(
  ctx: Context,
  field: string,
  maxBytes: number,
  tooLarge: () => Error = () => payloadTooLarge('文件过大'),
): Promise<UploadedFile> {
  if (!ctx.is('multipart/form-data')) return Promise.reject(validationFailed(`请以 multipart/form-data 上传文件（字段 ${field}）`));
  return new Promise((resolve, reject) => {
    let found: Promise<UploadedFile> | null = null;
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: ctx.req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20 }, defParamCharset: 'utf8' });
    } catch {
      reject(validationFailed('上传格式不正确'));
      return;
    }
    parser.on('file', (name, stream, info) => {
      if (name !== field || found) {
        stream.resume();
        return;
      }
      found = new Promise((done, fail) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () => fail(tooLarge()));
        stream.on('end', () => done({ fileName: info.filename || 'upload.xlsx', body: Buffer.concat(chunks) }));
      });
      found.catch(() => undefined);
    });
    parser.on('error', () => reject(validationFailed('上传格式不正确')));
    parser.on('close', () => {
      if (!found) reject(validationFailed(`没有收到文件：请在字段 ${field} 中上传`));
      else found.then(resolve, reject);
    });
    ctx.req.pipe(parser);
  });
}
