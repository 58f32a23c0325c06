/**
 * 话术库: replies and materials an admin keeps by category — text with `{客户称呼}`, a link, an
 * image — that a rep finds in the sidebar and sends into the current chat with one tap. The H5
 * sends through `ww.sendChatMessage` (98539: text / image by media_id / news for a link); the
 * server fills the placeholder for the contact the rep is chatting with (checked against the
 * follow relation, never the client's id alone), turns an image into a live WeCom media_id,
 * and counts the use.
 */
import { Op, QueryTypes, type Sequelize, type WhereOptions } from 'sequelize';
import type { ChatMessage, QuickReplyInput, QuickReplyView } from '@shared/engagement';
import { fillQuickReply } from '@shared/engagement';
import { addressOf, type Gender } from '@shared/greeting';
import { containsWhere } from '../../db/dialect';
import { invalidField, notFound } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { audit, type Actor } from '../audit/service';
import type { FollowChecker } from '../matching/follows';
import { engagementModels, type QuickReplyRow } from './models';
import { rowValues } from './quick-reply-review';
import { mediaUrl, wecomMediaId } from './media';

const view = (r: QuickReplyRow): QuickReplyView => ({
  id: r.id,
  category: r.category,
  title: r.title,
  kind: r.kind,
  content: r.content,
  linkUrl: r.link_url,
  imageUrl: r.media_file_id ? mediaUrl(r.media_file_id) : null,
  mediaFileId: r.media_file_id,
  useCount: Number(r.use_count),
  sortOrder: Number(r.sort_order),
});

/** Live replies, by category then the admin's order; `keyword` searches the title and the text. */
export async function listQuickReplies(sequelize: Sequelize, query: { keyword?: string; category?: string }): Promise<QuickReplyView[]> {
  const and: WhereOptions[] = [{ deleted_at: null }];
  if (query.category) and.push({ category: query.category });
  if (query.keyword) and.push({ [Op.or]: [containsWhere(sequelize, 'title', query.keyword), containsWhere(sequelize, 'content', query.keyword)] });
  const rows = await engagementModels(sequelize).QuickReply.findAll({
    where: { [Op.and]: and },
    order: [
      ['category', 'ASC'],
      ['sort_order', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return rows.map((r) => view(r.get()));
}

const values = rowValues;

export async function requireImage(sequelize: Sequelize, input: QuickReplyInput): Promise<void> {
  if (input.kind === 'image' && !(await engagementModels(sequelize).MediaFile.findByPk(input.mediaFileId!)))
    throw invalidField('mediaFileId', '图片不存在，请重新上传');
}

export async function createQuickReply(sequelize: Sequelize, actor: Actor, input: QuickReplyInput): Promise<QuickReplyView> {
  await requireImage(sequelize, input);
  const row = await sequelize.transaction(async (transaction) => {
    const created = await engagementModels(sequelize).QuickReply.create(values(input), { transaction });
    await audit(
      sequelize,
      actor,
      { action: 'quick_reply.create', entity: 'quick_reply', entityId: created.get().id, summary: `新建话术：${input.title}` },
      { transaction },
    );
    return created.get();
  });
  return view(row);
}

export async function liveReply(sequelize: Sequelize, id: number): Promise<QuickReplyRow> {
  const row = (await engagementModels(sequelize).QuickReply.findOne({ where: { id, deleted_at: null } }))?.get();
  if (!row) throw notFound('话术不存在');
  return row;
}

export async function updateQuickReply(sequelize: Sequelize, actor: Actor, id: number, input: QuickReplyInput): Promise<QuickReplyView> {
  await liveReply(sequelize, id);
  await requireImage(sequelize, input);
  await sequelize.transaction(async (transaction) => {
    await engagementModels(sequelize).QuickReply.update(values(input), { where: { id }, transaction });
    await audit(sequelize, actor, { action: 'quick_reply.update', entity: 'quick_reply', entityId: id, summary: `修改话术：${input.title}` }, { transaction });
  });
  return view(await liveReply(sequelize, id));
}

export async function deleteQuickReply(sequelize: Sequelize, actor: Actor, id: number): Promise<void> {
  const row = await liveReply(sequelize, id);
  await sequelize.transaction(async (transaction) => {
    await engagementModels(sequelize).QuickReply.update({ deleted_at: new Date() }, { where: { id }, transaction });
    await audit(sequelize, actor, { action: 'quick_reply.delete', entity: 'quick_reply', entityId: id, summary: `删除话术：${row.title}` }, { transaction });
  });
}

/**
 * What the sidebar passes to `ww.sendChatMessage` for this reply in the chat with `externalUserid`:
 * the text with the customer's name filled in (the rep's remark for them, else their WeCom
 * name), a link as an H5 card, an image as a WeCom media_id. Counts the use.
 */
export async function useQuickReply(
  deps: { sequelize: Sequelize; wecom: WecomClient; follows: FollowChecker },
  caller: { wecomUserid: string },
  id: number,
  externalUserid: string,
): Promise<ChatMessage> {
  const { sequelize } = deps;
  const reply = await liveReply(sequelize, id);
  const relation = await deps.follows.require(caller.wecomUserid, externalUserid);
  void relation; // the caller must follow the contact; the remark is the rep's note, never a greeting
  const message = await chatMessageOf(deps, reply, await crmAddressOf(sequelize, externalUserid), await repName(sequelize, caller.wecomUserid));
  await engagementModels(sequelize).QuickReply.increment('use_count', { where: { id } });
  return message;
}

async function chatMessageOf(
  deps: { sequelize: Sequelize; wecom: WecomClient },
  reply: QuickReplyRow,
  addressAs: string | null,
  rep: string,
): Promise<ChatMessage> {
  const text = reply.content ? fillQuickReply(reply.content, addressAs, rep) : '';
  if (reply.kind === 'link') return { msgtype: 'news', news: { link: reply.link_url!, title: reply.title, desc: text, imgUrl: '' } };
  if (reply.kind === 'image') return { msgtype: 'image', image: { mediaid: await wecomMediaId(deps.sequelize, deps.wecom, reply.media_file_id!) } };
  return { msgtype: 'text', text: { content: text } };
}

/**
 * How a message addresses the customer behind a WeCom contact (shared/greeting.ts): the linked CRM
 * customer's 称呼, or surname + 先生 / 女士, or their name; null when no customer is linked — never
 * the rep's remark nor the WeChat nickname.
 */
// Raw SQL on matching's link and the customer, on purpose: one statement for a greeting.
export async function crmAddressOf(sequelize: Sequelize, externalUserid: string): Promise<string | null> {
  const [row] = await sequelize.query<{
    name: string;
    type: string;
    gender: Gender | null;
    salutation: string | null;
    id_type: string | null;
    id_number: string | null;
  }>(
    `SELECT c.name, c.type, c.gender, c.salutation, c.id_type, c.id_number
       FROM customer_wecom_links l JOIN customers c ON c.id = l.customer_id AND c.deleted_at IS NULL
      WHERE l.external_userid = ?`,
    { replacements: [externalUserid], type: QueryTypes.SELECT },
  );
  return row
    ? addressOf({ name: row.name, type: row.type, gender: row.gender, salutation: row.salutation, idType: row.id_type, idNumber: row.id_number })
    : null;
}

async function repName(sequelize: Sequelize, wecomUserid: string): Promise<string> {
  const [row] = await sequelize.query<{ name: string }>('SELECT name FROM users WHERE wecom_userid = ?', {
    replacements: [wecomUserid],
    type: QueryTypes.SELECT,
  });
  return row?.name ?? '';
}
