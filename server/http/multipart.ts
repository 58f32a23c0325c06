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
      // Busboy destroys a file stream with an error when the body ends before the file's closing
      // boundary (a truncated upload, a client gone mid-file). An 'error' nobody listens to is
      // thrown out of the event loop and ends the process, so every file stream gets a listener —
      // the ones skipped too.
      if (name !== field || found) {
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      found = new Promise((done, fail) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () => fail(tooLarge()));
        stream.on('error', () => fail(incompleteUpload()));
        stream.on('end', () => done({ fileName: info.filename || 'upload.xlsx', body: Buffer.concat(chunks) }));
      });
      found.catch(() => undefined);
    });
    parser.on('error', () => reject(incompleteUpload()));
    parser.on('close', () => {
      if (!found) reject(validationFailed(`没有收到文件：请在字段 ${field} 中上传`));
      else found.then(resolve, reject);
    });
    // A client that goes away mid-upload never ends the body: pipe() would leave the parser (and
    // the chunks read so far) waiting forever. Destroying it errors the file stream, which settles.
    ctx.req.once('close', () => {
      if (!ctx.req.complete) parser.destroy();
    });
    ctx.req.pipe(parser);
  });
}

const incompleteUpload = () => validationFailed('上传的内容不完整或格式不正确，请重新上传');
