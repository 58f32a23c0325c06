/**
 * The composition root: every long-lived service of a process, wired once. `main.ts`, the Koa
 * app, the CLIs and the test helpers all take their parts from here, so a reaction (a WeCom
 * event → matching → notify the owner) is wired in one place, not once per entry point.
 */
import type { Sequelize, Transaction } from 'sequelize';
import type { Config } from '../config';
import { SqlKvStore } from './db/kv-store';
import { JobWorker } from './jobs/jobs';
import type { Logger } from './logger';
import type { Actor } from './modules/audit/service';
import { FollowChecker } from './modules/matching/follows';
import { transferJobs } from './modules/transfers/jobs';
import { leadRulesFor } from './modules/engagement/contact-ways';
import { engagementHooks, engagementJobs } from './modules/engagement/jobs';
import { WelcomeSender } from './modules/engagement/welcome';
import { matchingHooks } from './modules/matching/hooks';
import type { RoleBootstrap } from './modules/org/service';
import { startOrgSync } from './modules/org/sync';
import { ApprovalEngine } from './modules/approvals/engine';
import { ApprovalRegistry } from './modules/approvals/types';
import { PoolRecycler } from './modules/customer-pool/recycle';
import { massMessageType } from './modules/mass-messages/handler';
import { quickReplyType } from './modules/engagement/quick-reply-review';
import { massMessageJobs } from './modules/mass-messages/jobs';
import { MassMessageService } from './modules/mass-messages/service';
import { ReminderScheduler } from './modules/reminders/scheduler';
import { suitabilityExceptionType } from './modules/suitability-exceptions/handler';
import { customerExportType } from './modules/imports/export-desk';
import { settingDefaults } from './modules/settings/service';
import type { CorpSettings } from '@shared/settings';
import type { StartedSync } from './modules/sync-runs/runner';
import { allHooks, type ExternalContactHooks } from './modules/wecom-mirror/hooks';
import { transferHooks } from './modules/transfers/hooks';
import { churnHooks } from './modules/churn/hooks';
import { EventWorker, type WorkerOptions } from './modules/wecom-events/worker';
import { startExternalContactSync } from './modules/wecom-mirror/sync';
import { ContactReader } from './modules/wecom-mirror/contact-reader';
import { createWecomClient, type WecomClient } from './wecom';
import { PeopleCallBudget } from './wecom/budget';

export interface Services {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  /** The process's own client: background work (jobs, the event worker, syncs, welcome messages). */
  wecom: WecomClient;
  /**
   * The client every route gets (server/app.ts): each call charged to the person the request acts
   * for, a short deadline, no retry after a timeout (WecomClient.forPeople).
   */
  wecomForPeople: WecomClient;
  bootstrap: RoleBootstrap;
  settingDefaults: CorpSettings;
  /** What matching does when the WeCom mirror changes (events, syncs). */
  hooks: ExternalContactHooks;
  follows: FollowChecker;
  /** Applies stored callback events (started by main.ts where `EVENT_WORKER=on`). */
  worker: EventWorker;
  /** Daily digest and the notification sender. */
  reminders: ReminderScheduler;
  /** 审批: requests, their rules, the expiry sweep (server/README.md#approvals-审批). */
  approvals: ApprovalEngine;
  /** 公海's recycle sweep, hourly (server/README.md#customer-pool-公海). */
  poolRecycler: PoolRecycler;
  /** 客户群发: audiences, 合规 review, WeCom 企业群发 tasks and their results (server/README.md#客户群发). */
  massMessages: MassMessageService;
  /** Generic durable jobs (the `jobs` table). */
  jobs: JobWorker;
  /** Welcome messages, sent at ingest (their WelcomeCode lives 20 s). */
  welcome: WelcomeSender;
  startOrgSync(actor: Actor): Promise<StartedSync>;
  startExternalContactSync(actor: Actor): Promise<StartedSync>;
}

export interface ServiceOptions {
  /** A client other than the configured one (a CLI's own simulator, a test's fake clock). */
  wecom?: WecomClient;
  worker?: Partial<WorkerOptions>;
}

export function createServices(config: Config, logger: Logger, sequelize: Sequelize, options: ServiceOptions = {}): Services {
  const store = new SqlKvStore(sequelize);
  const wecom = options.wecom ?? createWecomClient(config, store, logger);
  const wecomForPeople = wecom.forPeople(new PeopleCallBudget(sequelize, config.wecom.corpId));
  const bootstrap = { adminUserIds: config.wecom.adminUserIds };
  const defaults = settingDefaults(config);
  const leadRules = (states: readonly string[], t: Transaction) => leadRulesFor(sequelize, states, t);
  const hooks = allHooks(matchingHooks(sequelize, defaults, leadRules), engagementHooks(sequelize), churnHooks(sequelize), transferHooks(sequelize));
  const reminders = new ReminderScheduler({ sequelize, wecom, logger, publicUrl: config.publicUrl, settingDefaults: defaults });
  // Every approval type the engine knows. 群发内容's handler reaches the 群发 service, made just below with the engine.
  const late: { massMessages?: MassMessageService } = {};
  const approvalTypes = new ApprovalRegistry([suitabilityExceptionType(), customerExportType(), massMessageType(() => late.massMessages!), quickReplyType()]);
  const approvals = new ApprovalEngine({ sequelize, registry: approvalTypes, logger, onNotified: () => void reminders.sendSoon() });
  const massMessages = (late.massMessages = new MassMessageService({ sequelize, wecom, approvals, logger }));
  const services: Services = {
    config,
    logger,
    sequelize,
    wecom,
    wecomForPeople,
    bootstrap,
    settingDefaults: defaults,
    hooks,
    // Only requests ask whether someone follows a contact: its reads are charged to them.
    follows: new FollowChecker(sequelize, new ContactReader({ sequelize, wecom: wecomForPeople, store })),
    worker: new EventWorker(
      { sequelize, wecom, logger, bootstrap, hooks },
      { maxAttempts: config.events.maxAttempts, reclaimAfterMs: config.events.reclaimAfterMs, ...options.worker },
    ),
    reminders,
    approvals,
    poolRecycler: new PoolRecycler({ sequelize, logger }),
    massMessages,
    jobs: new JobWorker(sequelize, logger).registerAll([
      ...transferJobs({ sequelize, wecom, logger }),
      ...engagementJobs({ sequelize, wecom, wecomForPeople, logger, settingDefaults: defaults }),
      ...massMessageJobs({ sequelize, logger, service: () => massMessages }),
    ]),
    welcome: new WelcomeSender({ sequelize, wecom, logger }),
    startOrgSync: (actor) => startOrgSync({ sequelize, wecom, logger, bootstrap }, actor),
    startExternalContactSync: (actor) => startExternalContactSync({ sequelize, wecom, logger, hooks }, actor),
  };
  return services;
}
