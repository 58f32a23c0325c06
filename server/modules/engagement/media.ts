/**
 * Images the corp uploads once (welcome attachments, 话术) and WeCom's media_id for each: a
 * temporary media_id is good for three days (90253 上传临时素材), so it is kept with its expiry and
 * uploaded again when it is close.
 */
import { createHash } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { notFound, validationFailed } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { engagementModels, type MediaFileRow } from './models';

/** 90253: an image up to 10 MB, JPG or PNG; we keep them small enough for a phone (2 MB). */
export const IMAGE_MAX_BYTES = 2 * 1024 * 1024;
const MEDIA_TTL_MS = 3 * 86_400_000;
/** A media_id this close to its end is replaced before use (a send may take a moment). */
const REFRESH_MARGIN_MS = 3_600_000;

function imageMime(bytes: Buffer): 'image/png' | 'image/jpeg' | null {
  if (bytes.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return null;
}

export async function storeImage(
  sequelize: Sequelize,
  file: { fileName: string; body: Buffer },
  userId: number | null,
): Promise<{ id: number; name: string; url: string }> {
  const mime = imageMime(file.body);
  if (!mime) throw validationFailed('只支持 JPG 或 PNG 图片');
  if (file.body.length <= 5) throw validationFailed('图片文件为空');
  const row = await engagementModels(sequelize).MediaFile.create({
    name: file.fileName.slice(0, 128),
    mime,
    size: file.body.length,
    sha256: createHash('sha256').update(file.body).digest('hex'),
    content: file.body,
    created_by: userId,
  });
  return { id: row.get().id, name: row.get().name, url: mediaUrl(row.get().id) };
}

/**
 * 90253: a file (普通文件) up to 20 MB, more than 5 bytes; we take PDF and Office documents (a
 * customer opens them on a phone) up to 10 MB, within the 16 MB the media column holds.
 */
export const FILE_MAX_BYTES = 10 * 1024 * 1024;
const FILE_TYPES: Record<string, { mime: string; zip: boolean }> = {
  pdf: { mime: 'application/pdf', zip: false },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', zip: true },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', zip: true },
  pptx: { mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation', zip: true },
};

/** A document sent as a WeCom 文件 attachment (客户群发): its kind by name, its bytes checked against it. */
export async function storeFile(
  sequelize: Sequelize,
  file: { fileName: string; body: Buffer },
  userId: number | null,
): Promise<{ id: number; name: string; url: string }> {
  const type = FILE_TYPES[file.fileName.split('.').pop()?.toLowerCase() ?? ''];
  if (!type) throw validationFailed('只支持 PDF、Word、Excel、PPT 文件（.pdf .docx .xlsx .pptx）');
  const magic = type.zip ? Buffer.from([0x50, 0x4b, 0x03, 0x04]) : Buffer.from('%PDF');
  if (file.body.length <= 5 || !file.body.subarray(0, 4).equals(magic)) throw validationFailed('文件内容与扩展名不符或文件为空');
  const row = await engagementModels(sequelize).MediaFile.create({
    name: file.fileName.slice(0, 128),
    mime: type.mime,
    size: file.body.length,
    sha256: createHash('sha256').update(file.body).digest('hex'),
    content: file.body,
    created_by: userId,
  });
  return { id: row.get().id, name: row.get().name, url: mediaUrl(row.get().id) };
}

export const mediaUrl = (id: number) => `/api/media/${id}`;

export async function loadImage(sequelize: Sequelize, id: number): Promise<MediaFileRow> {
  const row = (await engagementModels(sequelize).MediaFile.findByPk(id))?.get();
  if (!row) throw notFound('图片不存在');
  return row;
}

/** A WeCom media_id for the image (or document: type file), uploaded again when the last one has (nearly) expired. */
export async function wecomMediaId(sequelize: Sequelize, wecom: WecomClient, id: number, now = new Date()): Promise<string> {
  const file = await loadImage(sequelize, id);
  if (file.wecom_media_id && file.wecom_media_expires_at && new Date(file.wecom_media_expires_at).getTime() - now.getTime() > REFRESH_MARGIN_MS) {
    return file.wecom_media_id;
  }
  const uploaded = await wecom.uploadMedia(file.mime.startsWith('image/') ? 'image' : 'file', {
    fileName: file.name,
    mime: file.mime,
    bytes: Buffer.from(file.content),
  });
  await engagementModels(sequelize).MediaFile.update(
    { wecom_media_id: uploaded.media_id, wecom_media_expires_at: new Date(now.getTime() + MEDIA_TTL_MS) },
    { where: { id } },
  );
  return uploaded.media_id;
}
