import Router from '@koa/router';
import type { MetaResponse } from '@shared/http';
import type { Sequelize } from 'sequelize';
import type { Config } from '../../../config';
import { pingDatabase } from '../../db';
import { DomainError } from '../../errors';
import { version } from '../../../package.json';

export const metaOf = (config: Pick<Config, 'wecom'>): MetaResponse => ({ product: 'wecom-crm', version, wecomMode: config.wecom.mode });

/** Liveness, readiness and the public facts the H5 needs before login. */
export function systemRoutes(deps: { sequelize: Sequelize; config: Config }): Router {
  const router = new Router();

  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });

  router.get('/readyz', async (ctx) => {
    try {
      await pingDatabase(deps.sequelize);
    } catch (err) {
      ctx.log.warn({ err }, 'readiness check failed');
      throw new DomainError('unavailable', 'not_ready', '数据库不可用');
    }
    ctx.body = { ok: true, database: 'up' };
  });

  router.get('/api/meta', (ctx) => {
    ctx.body = metaOf(deps.config);
  });

  return router;
}
