import Router from '@koa/router';
import type { Context } from 'koa';
import type { Sequelize } from 'sequelize';
import { z } from 'zod';
import {
  contactWaySchema,
  corpTagCreateSchema,
  corpTagRenameSchema,
  markTagsSchema,
  quickReplyQuerySchema,
  quickReplySchema,
  quickReplyUseSchema,
  welcomeTemplateSchema,
} from '@shared/engagement';
import { externalUserIdParam } from '@shared/matching';
import type { CorpSettings } from '@shared/settings';
import { payloadTooLarge } from '../../errors';
import { requirePermission } from '../../http/auth';
import { readUploadedFile } from '../../http/multipart';
import { idParam, validate } from '../../http/validate';
import type { WecomClient } from '../../wecom/client';
import type { ApprovalEngine } from '../approvals/engine';
import { actorOf, callerOf, crmCallerOf } from '../org/caller';
import { readSettings } from '../settings/service';
import type { FollowChecker } from '../matching/follows';
import { createContactWay, deleteContactWay, listContactWays, updateContactWay } from './contact-ways';
import { IMAGE_MAX_BYTES, loadImage, storeImage } from './media';
import { createQuickReply, deleteQuickReply, listQuickReplies, liveReply, requireImage, updateQuickReply, useQuickReply } from './quick-replies';
import { submitQuickReply } from './quick-reply-review';
import { createCorpTags, deleteTagOrGroup, listCorpTags, markCustomerTags, markTagsAsFollower, renameTagOrGroup, tagsOfCustomer } from './tags';
import { deleteTemplate, listTemplates, recentSends, saveTemplate } from './welcome';

const tagIdParam = z.object({ tagId: z.string().regex(/^[\w-]{1,64}$/, '标签不正确') });

export function engagementRoutes(deps: {
  sequelize: Sequelize;
  wecom: WecomClient;
  follows: FollowChecker;
  approvals: ApprovalEngine;
  settingDefaults: CorpSettings;
}): Router {
  const { sequelize, wecom } = deps;
  const router = new Router();
  const manage = requirePermission('engagement.manage');
  const wecomUserid = (ctx: Context) => callerOf(ctx).user.wecom_userid;

  // ---- welcome messages
  router.get('/api/admin/welcome-templates', manage, async (ctx) => {
    ctx.body = { items: await listTemplates(sequelize), recentSends: await recentSends(sequelize) };
  });
  router.put('/api/admin/welcome-templates', manage, async (ctx) => {
    ctx.body = await saveTemplate(sequelize, actorOf(ctx), validate(welcomeTemplateSchema, ctx.request.body));
  });
  router.delete('/api/admin/welcome-templates/:id', manage, async (ctx) => {
    await deleteTemplate(sequelize, actorOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });

  // ---- 渠道活码
  router.get('/api/admin/contact-ways', manage, async (ctx) => {
    ctx.body = { items: await listContactWays(sequelize) };
  });
  router.post('/api/admin/contact-ways', manage, async (ctx) => {
    ctx.status = 201;
    ctx.body = await createContactWay(sequelize, wecom, actorOf(ctx), validate(contactWaySchema, ctx.request.body));
  });
  router.put('/api/admin/contact-ways/:id', manage, async (ctx) => {
    ctx.body = await updateContactWay(sequelize, wecom, actorOf(ctx), validate(idParam, ctx.params).id, validate(contactWaySchema, ctx.request.body));
  });
  router.delete('/api/admin/contact-ways/:id', manage, async (ctx) => {
    await deleteContactWay(sequelize, wecom, actorOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });

  // ---- corp tags: everyone who tags customers reads them; admins change them
  router.get('/api/corp-tags', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { groups: await listCorpTags(sequelize) };
  });
  router.post('/api/admin/corp-tags', manage, async (ctx) => {
    ctx.status = 201;
    ctx.body = { groups: await createCorpTags(sequelize, wecom, actorOf(ctx), validate(corpTagCreateSchema, ctx.request.body)) };
  });
  router.patch('/api/admin/corp-tags/:tagId', manage, async (ctx) => {
    const { tagId } = validate(tagIdParam, ctx.params);
    ctx.body = { groups: await renameTagOrGroup(sequelize, wecom, actorOf(ctx), tagId, validate(corpTagRenameSchema, ctx.request.body).name) };
  });
  router.delete('/api/admin/corp-tags/:tagId', manage, async (ctx) => {
    ctx.body = { groups: await deleteTagOrGroup(sequelize, wecom, actorOf(ctx), validate(tagIdParam, ctx.params).tagId) };
  });
  router.post('/api/sidebar/external-contacts/:externalUserId/tags', requirePermission('customer.write'), async (ctx) => {
    const { externalUserId } = validate(externalUserIdParam, ctx.params);
    ctx.body = await markTagsAsFollower(deps, { wecomUserid: wecomUserid(ctx) }, externalUserId, validate(markTagsSchema, ctx.request.body));
  });
  router.get('/api/customers/:id/tags', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { items: await tagsOfCustomer(sequelize, callerOf(ctx).access, validate(idParam, ctx.params).id) };
  });
  router.post('/api/customers/:id/tags', requirePermission('customer.write'), async (ctx) => {
    const { user, access } = callerOf(ctx);
    await markCustomerTags(deps, { access, wecomUserid: user.wecom_userid }, validate(idParam, ctx.params).id, validate(markTagsSchema, ctx.request.body));
    ctx.body = { items: await tagsOfCustomer(sequelize, access, validate(idParam, ctx.params).id) };
  });

  // ---- 话术库
  router.get('/api/quick-replies', requirePermission('customer.read'), async (ctx) => {
    ctx.body = { items: await listQuickReplies(sequelize, validate(quickReplyQuerySchema, ctx.query)) };
  });
  router.post('/api/quick-replies/:id/use', requirePermission('customer.read'), async (ctx) => {
    const { externalUserId } = validate(quickReplyUseSchema, ctx.request.body);
    ctx.body = await useQuickReply(deps, { wecomUserid: wecomUserid(ctx) }, validate(idParam, ctx.params).id, externalUserId);
  });
  // With 话术审核 on (corp setting `quickReplyReview`), a new or changed reply is a 合规 request
  // (202 with its id), written to the library only when approved (quick-reply-review.ts).
  const reviewed = async () => (await readSettings(sequelize, deps.settingDefaults)).quickReplyReview;
  router.post('/api/admin/quick-replies', manage, async (ctx) => {
    const input = validate(quickReplySchema, ctx.request.body);
    if (await reviewed()) {
      await requireImage(sequelize, input);
      ctx.status = 202;
      ctx.body = { status: 'pending_review', approvalId: await submitQuickReply(deps, crmCallerOf(ctx), null, input) };
      return;
    }
    ctx.status = 201;
    ctx.body = await createQuickReply(sequelize, actorOf(ctx), input);
  });
  router.put('/api/admin/quick-replies/:id', manage, async (ctx) => {
    const { id } = validate(idParam, ctx.params);
    const input = validate(quickReplySchema, ctx.request.body);
    if (await reviewed()) {
      await liveReply(sequelize, id);
      await requireImage(sequelize, input);
      ctx.status = 202;
      ctx.body = { status: 'pending_review', approvalId: await submitQuickReply(deps, crmCallerOf(ctx), id, input) };
      return;
    }
    ctx.body = await updateQuickReply(sequelize, actorOf(ctx), id, input);
  });
  router.delete('/api/admin/quick-replies/:id', manage, async (ctx) => {
    await deleteQuickReply(sequelize, actorOf(ctx), validate(idParam, ctx.params).id);
    ctx.status = 204;
  });

  // ---- images for welcome messages and 话术
  router.post('/api/media', manage, async (ctx) => {
    const file = await readUploadedFile(ctx, 'file', IMAGE_MAX_BYTES, () => payloadTooLarge('图片不能超过 2 MB'));
    ctx.status = 201;
    ctx.body = await storeImage(sequelize, file, callerOf(ctx).access.userId);
  });
  router.get('/api/media/:id', requirePermission('customer.read'), async (ctx) => {
    const image = await loadImage(sequelize, validate(idParam, ctx.params).id);
    ctx.type = image.mime;
    ctx.set('Cache-Control', 'private, max-age=86400');
    ctx.body = Buffer.from(image.content);
  });
  return router;
}
