import { bodyParser } from '@koa/bodyparser';
import Koa from 'koa';
import type { Sequelize } from 'sequelize';
import type { Config } from '../config';
import { errorHandler } from './http/errors';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { securityHeaders } from './http/security-headers';
import { serveSpa } from './http/spa';
import type { Logger } from './logger';
import { systemRoutes } from './modules/system/routes';

export interface AppDeps {
  config: Config;
  sequelize: Sequelize;
  logger: Logger;
  /** Directory of the built H5 (`h5/dist`); omitted in API-only tests. */
  h5Dir?: string;
}

/** Paths the SPA fallback must never answer with index.html. */
const API_PREFIXES = ['/api', '/__wecom', '/healthz', '/readyz'] as const;

export const JSON_BODY_LIMIT = '1mb';

/** Builds the Koa application. Performs no I/O: main.ts and tests supply opened resources. */
export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  app.proxy = deps.config.wecom.mode === 'live';
  // Errors are handled (and logged once) by errorHandler; silence Koa's default stderr dump.
  app.silent = true;

  app.use(requestId(deps.logger));
  app.use(requestLog);
  app.use(errorHandler);
  app.use(securityHeaders({ hsts: deps.config.publicUrl.startsWith('https://') }));
  if (deps.h5Dir) app.use(serveSpa(deps.h5Dir, { apiPrefixes: API_PREFIXES }));
  app.use(bodyParser({ enableTypes: ['json', 'form'], jsonLimit: JSON_BODY_LIMIT, formLimit: '64kb' }));

  const system = systemRoutes(deps);
  app.use(system.routes()).use(system.allowedMethods());

  return app;
}
