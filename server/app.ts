import { readRouting } from './http/read-routing';
import Koa from 'koa';
import compress from 'koa-compress';
import type { RequestListener } from 'node:http';
import type { Services } from './container';
import { authenticate } from './http/auth';
import { errorHandler } from './http/errors';
import { jsonBody } from './http/json-body';
import { mountAt } from './http/mount';
import { requestId } from './http/request-id';
import { requestLog } from './http/request-log';
import { sameOriginWrites } from './http/same-origin';
import { securityHeaders } from './http/security-headers';
import { serveSpa } from './http/spa';
import { approvalRoutes } from './modules/approvals/routes';
import { massMessageRoutes } from './modules/mass-messages/routes';
import { auditRoutes } from './modules/audit/routes';
import { authRoutes } from './modules/auth/routes';
import { sessionCaller } from './modules/auth/service';
import { complianceRoutes } from './modules/compliance/routes';
import { opportunityRoutes } from './modules/opportunities/routes';
import { opportunityExportRoutes } from './modules/imports/opportunity-export';
import { customerPoolRoutes } from './modules/customer-pool/routes';
import { contactRoutes } from './modules/contacts/routes';
import { dashboardRoutes } from './modules/dashboard/routes';
import { customerFollowUpSubject } from './modules/customers/follow-up-subject';
import { customerRoutes } from './modules/customer-record/routes';
import { followUpRoutes, myFollowUpRoutes } from './modules/follow-ups/routes';
import { holdingRoutes } from './modules/holdings/routes';
import { partnerRoutes } from './modules/partners/routes';
import { partnerFollowUpSubject } from './modules/partners/service';
import { matchingRoutes } from './modules/matching/routes';
import { productRoutes } from './modules/products/routes';
import { settingsRoutes } from './modules/settings/routes';
import { engagementRoutes } from './modules/engagement/routes';
import { sidebarBootPreload, sidebarBootRoutes } from './modules/sidebar/boot-routes';
import { sidebarRoutes } from './modules/sidebar/routes';
import { saleRoutes } from './modules/sales/routes';
import { suitabilityExceptionDoor } from './modules/suitability-exceptions/door';
import { tradeRoutes } from './modules/trades/routes';
import { coolingOffRoutes } from './modules/trades/cooling-off-routes';
import { targetRoutes } from './modules/targets/routes';
import { transferRoutes } from './modules/transfers/routes';
import { jobAdminRoutes } from './modules/background-jobs/routes';
import { dictionaryRoutes } from './modules/dictionaries/routes';
import { exportDesk } from './modules/imports/export-desk';
import { exportRoutes } from './modules/imports/export-routes';
import { importRoutes } from './modules/imports/routes';
import { holdersOfProduct } from './modules/trades/reads';
import { reminderRoutes } from './modules/reminders/routes';
import { riskQuestionnaireRoutes } from './modules/risk-questionnaire/routes';
import { orgRoutes } from './modules/org/routes';
import { syncRoutes } from './modules/background-jobs/sync-routes';
import { roleRoutes } from './modules/org/role-routes';
import { systemRoutes } from './modules/system/routes';
import { callbackRoutes, eventAdminRoutes } from './modules/wecom-events/routes';
import { jssdkRoutes } from './modules/wecom-jssdk/routes';
import { actingFor, personOf } from './wecom/acting-person';

export interface WebOptions {
  /** The in-process WeCom simulator, served at /__wecom (simulator mode only). */
  wecomSimulator?: RequestListener;
  /** Told about work that outlives its request (a sync run), so shutdown can wait for it. */
  onBackgroundTask?: (task: Promise<unknown>) => void;
  /** Directory of the built H5 (`h5/dist`); omitted in API-only tests. */
  h5Dir?: string;
}

/** Paths the SPA fallback must never answer with index.html. */
const API_PREFIXES = ['/api', '/__wecom', '/healthz', '/readyz'] as const;

const CALLBACK_PATH = '/api/wecom/callback';

/** Builds the Koa application over the process's services. Performs no I/O. */
export function createApp(services: Services, web: WebOptions = {}): Koa {
  // Stored callback events are applied by this process's worker (when it runs one) as soon as deliveries pause (EventWorker.noteStored). Routes
  // call WeCom through the people's client: every call charged to the request's person, bounded in time.
  const deps = { ...services, ...web, wecom: services.wecomForPeople, onEventStored: () => services.worker.noteStored() };
  // A rep's buy above the customer's level, asked as a 适当性例外, becomes an approval request.
  const exceptions = suitabilityExceptionDoor(services.sequelize, services.approvals);
  // Customer-data exports: small ones at once, larger or full ones through approval.
  const exports = exportDesk(services);
  const app = new Koa();
  // X-Forwarded-* is believed only from the proxies we were told about, and then only the hops
  // they appended (the leftmost entries are whatever the client sent).
  app.proxy = deps.config.trustProxy > 0;
  app.maxIpsCount = deps.config.trustProxy;
  // Errors are handled (and logged once) by errorHandler; silence Koa's default stderr dump.
  app.silent = true;
  app.keys = [deps.config.sessionSecret];

  app.use(requestId(deps.logger));
  app.use(requestLog);
  // WeCom's callback is answered here, before the rest of the stack: it needs no compression (its
  // answer is `success`), no SPA, no session and none of the ~45 routers below, each of which would
  // match its path in turn — and WeCom's bursts are the busiest path there is (issue 37).
  const callback = callbackRoutes(deps);
  const callbackStack: Koa.Middleware[] = [
    errorHandler,
    securityHeaders({ hsts: deps.config.publicUrl.startsWith('https://') }),
    callback.routes() as Koa.Middleware,
    callback.allowedMethods() as Koa.Middleware,
  ];
  app.use((ctx, next) => (ctx.path.startsWith(CALLBACK_PATH) ? runStack(callbackStack, ctx, next) : next()));
  // JSON over 1 KB goes out brotli / gzip (with `Vary: Accept-Encoding`); the H5's files come
  // precompressed from the build (spa.ts), which this leaves alone.
  app.use(compress({ threshold: 1024, deflate: false }));
  app.use(errorHandler);
  app.use(securityHeaders({ hsts: deps.config.publicUrl.startsWith('https://') }));
  if (deps.wecomSimulator) app.use(mountAt('/__wecom', deps.wecomSimulator));
  if (deps.h5Dir) app.use(serveSpa(deps.h5Dir, { apiPrefixes: API_PREFIXES, pages: { '/sidebar': { file: 'sidebar.html', preload: sidebarBootPreload } } }));
  app.use(sameOriginWrites({ origin: deps.config.publicUrl, prefix: '/api/', exempt: [CALLBACK_PATH] }));
  // The WeCom callback reads its own raw XML body (with its own limit); everything else is JSON.
  const parseBody = jsonBody();
  app.use((ctx, next) => (ctx.path === CALLBACK_PATH ? next() : parseBody(ctx, next)));
  app.use(authenticate(sessionCaller(deps.config, deps.sequelize)));
  // After the session (read from the primary): read-only pages may read a replica (DATABASE_READ_URLS).
  app.use(
    readRouting({
      enabled: deps.config.database.dialect === 'mysql' && !!deps.config.database.readUrls?.length,
      secure: deps.config.publicUrl.startsWith('https://'),
    }),
  );
  // Whom the request's WeCom calls are charged to (server/wecom/budget.ts). Without a session (the
  // OAuth login's one code exchange) only everyone's budget counts: a whole office logs in from one address.
  app.use((ctx, next) => (ctx.state.identity ? actingFor(personOf(ctx.state.identity.userId), next) : next()));

  for (const router of [
    systemRoutes(deps),
    jssdkRoutes({ wecom: deps.wecom, publicUrl: deps.config.publicUrl }),
    authRoutes(deps),
    syncRoutes({ ...deps, kind: 'org', path: 'org', start: services.startOrgSync }),
    syncRoutes({ ...deps, kind: 'external_contacts', path: 'external-contacts', start: services.startExternalContactSync }),
    roleRoutes(deps),
    auditRoutes(deps),
    dictionaryRoutes(deps),
    transferRoutes(deps),
    customerRoutes({ ...deps, exports }),
    contactRoutes(deps),
    followUpRoutes({ ...deps, prefix: '/api/customers', subject: customerFollowUpSubject, permissions: { read: 'customer.read', write: 'customer.write' } }),
    myFollowUpRoutes(deps),
    holdingRoutes({ ...deps, exceptions }),
    productRoutes({ ...deps, holdersOfProduct }),
    saleRoutes({ ...deps, exceptions }),
    coolingOffRoutes(deps),
    tradeRoutes({ ...deps, exceptions }),
    approvalRoutes(deps),
    massMessageRoutes(services),
    complianceRoutes(deps),
    riskQuestionnaireRoutes(deps),
    // Before opportunityRoutes: its `/:id` would take `export.xlsx` for an id.
    opportunityExportRoutes(deps),
    opportunityRoutes(deps),
    customerPoolRoutes(deps),
    partnerRoutes({
      ...deps,
      exportPartners: (caller, filter, full) => exports.exportNow(caller, 'partners', filter, full),
      requestPartnerExport: (caller, filter, full, reason) => exports.request(caller, 'partners', filter, full, reason),
    }),
    exportRoutes({ exports }),
    followUpRoutes({ ...deps, prefix: '/api/partners', subject: partnerFollowUpSubject, permissions: { read: 'partner.read', write: 'partner.write' } }),
    targetRoutes(deps),
    dashboardRoutes(deps),
    orgRoutes(deps),
    matchingRoutes(deps),
    sidebarBootRoutes(deps),
    sidebarRoutes(deps),
    engagementRoutes(deps),
    settingsRoutes(deps),
    reminderRoutes(deps),
    importRoutes({ sequelize: deps.sequelize, logger: deps.logger, settings: deps.config.imports, onBackgroundTask: deps.onBackgroundTask }),
    eventAdminRoutes(deps),
    jobAdminRoutes(deps),
  ]) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  return app;
}

/** Runs `middleware` in order, as app.use would, then `next`. */
function runStack(middleware: Koa.Middleware[], ctx: Koa.Context, next: Koa.Next, i = 0): Promise<void> {
  return i === middleware.length ? next() : Promise.resolve(middleware[i]!(ctx, () => runStack(middleware, ctx, next, i + 1)));
}
