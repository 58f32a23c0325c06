/**
 * `npm start`: the whole product on the embedded defaults — the server (server/main.ts) with the
 * WeCom simulator inside it and, on a first start, the demo corp and CRM. Live mode (WECOM_CORP_ID
 * set) ignores both: the same as running server/main.ts.
 */
import { QueryTypes } from 'sequelize';
import type { Config } from '../config';
import type { Services } from '../server/container';
import { runMain } from '../server/main';
import { SYSTEM_ACTOR } from '../server/modules/audit/service';
import { identitiesOf, seedDemoCrm, seedDemoDepartmentRoles, seedDemoEngagement } from './demo-data';
import { createWecomSimulator, simulatorOptionsFor, type WecomSimulator } from './wecom-simulator/index';

let simulator: WecomSimulator | undefined;

runMain({
  wecom(config) {
    simulator = createWecomSimulator(simulatorOptionsFor(config));
    const events = simulator.events;
    return {
      listener: simulator.listener,
      async connect(callbackUrl) {
        const check = await events.verifyUrl(callbackUrl);
        if (check.ok) events.callbackUrl = callbackUrl;
        return check.ok;
      },
    };
  },
  seedDemo: (services, track) => seedDemo(services, simulator!, track),
  banner,
});

/** What `npm start` opens, whom to log in as, and what each of them sees. */
function banner(config: Config): string {
  const demo = config.wecom.mode === 'simulator';
  const database = config.database.dialect === 'sqlite' ? `SQLite ${config.database.storage}` : `MySQL ${new URL(config.database.url).pathname.slice(1)}`;
  const lines = [
    '',
    `  wecom-crm  ${config.publicUrl}`,
    '',
    `  mode       ${demo ? 'WeCom simulator (demo corp, demo data on a first start)' : 'live WeCom'} · ${database}`,
  ];
  if (demo) {
    lines.push(
      `  log in     open the URL and pick a demo employee (the simulator's WeCom login page):`,
      '               admin       管理员   everything: 管理 (sync, roles, import, 欢迎语, 渠道活码, 标签, 话术库)',
      '               mgr-east    陈建国   manager of 华东销售部: its customers, dashboards, transfers',
      '               rep-east-1  李娜     sales rep: own customers, workbench, follow-ups',
      '               rep-east-2  王强     sales rep in 华东销售部',
      '               rep-east-3  赵敏     sales rep in 上海财富团队',
      '               mgr-south   黄志明   manager of 华南销售部',
      '               rep-south-1 刘洋     sales rep in 华南销售部',
      '               ops-1       周婷     运营: 数据与运营 (data quality, imports, 客户运营), read-only',
      '               risk-1      吴磊     合规: 合规工作台 (approvals, suitability ledger, audit log), read-only',
      `  sidebar    ${config.publicUrl}/sidebar — the chat sidebar; a bar at the top picks the "current chat"`,
      `  simulator  ${config.publicUrl}/__wecom/admin/state — the fake WeCom's state API (README, "The WeCom simulator")`,
    );
  }
  return `${lines.join('\n')}\n\n`;
}

/**
 * Demo mode, first start: sync the simulator's demo corp (so every demo login works), seed the
 * demo CRM (its customers include the people the demo reps chat with), then run the first
 * external-contact sync, which links those contacts to their customers by remark mobile and
 * turns the rest into leads. `settled` ends when all of it has: the reminders start then.
 */
async function seedDemo(services: Services, sim: WecomSimulator, track: (task: Promise<unknown>) => void): Promise<{ settled: Promise<unknown> }> {
  const { sequelize, logger } = services;
  const seedCrm = async () => {
    try {
      const summary = await seedDemoCrm(sequelize, { wecomIdentities: identitiesOf(sim.state.externalContacts.values()) });
      if (!summary) return;
      logger.info({ summary }, 'demo CRM data seeded');
      const run = await (await services.startExternalContactSync(SYSTEM_ACTOR)).done;
      logger.info({ runId: run.id, status: run.status }, 'demo WeCom contacts synced and matched');
      if (await seedDemoEngagement(sequelize, services.wecom)) logger.info('demo welcome message, 渠道活码 and 话术库 seeded');
    } catch (err) {
      // The CRM data is one transaction: nothing half-written, and the next start tries again.
      logger.error({ err }, 'demo CRM data could not be seeded');
    }
  };
  const [row] = await sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM users', { type: QueryTypes.SELECT });
  if (Number(row?.n) > 0) {
    const settled = seedCrm();
    track(settled);
    return { settled };
  }
  await seedDemoDepartmentRoles(sequelize);
  const { done } = await services.startOrgSync(SYSTEM_ACTOR);
  const settled = done.then(async (run) => {
    logger.info({ runId: run.id, status: run.status }, 'demo org synced from the simulator');
    if (run.status === 'succeeded') await seedCrm();
  });
  track(settled);
  return { settled };
}
