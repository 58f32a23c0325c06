import Router from '@koa/router';
import type { Sequelize } from 'sequelize';
import { corpSettingsPatchSchema, type CorpSettings } from '@shared/settings';
import { requirePermission } from '../../http/auth';
import { actorOf } from '../org/caller';
import { validate } from '../../http/validate';
import { readSettings, updateSettings } from './service';

export function settingsRoutes(deps: { sequelize: Sequelize; settingDefaults: CorpSettings }): Router {
  const { sequelize, settingDefaults } = deps;
  const router = new Router({ prefix: '/api/admin/settings' });
  const manage = requirePermission('settings.manage');

  router.get('/', manage, async (ctx) => {
    ctx.body = await readSettings(sequelize, settingDefaults);
  });
  router.patch('/', manage, async (ctx) => {
    ctx.body = await updateSettings(sequelize, actorOf(ctx), settingDefaults, validate(corpSettingsPatchSchema, ctx.request.body));
  });
  return router;
}
