/** Reading sync runs: one, the latest, the history (the admin's progress bar and list). */
import type { Sequelize } from 'sequelize';
import { notFound } from '../../errors';
import type { SyncRunJson } from '@shared/sync';
import { syncRunModels, syncRunView, type SyncKind } from './models';

export async function getSyncRun(sequelize: Sequelize, kind: SyncKind, id: number): Promise<SyncRunJson> {
  const row = await syncRunModels(sequelize).SyncRun.findOne({ where: { id, kind } });
  if (!row) throw notFound('同步记录不存在');
  return syncRunView(row.get());
}

export async function latestSyncRun(sequelize: Sequelize, kind: SyncKind): Promise<SyncRunJson | null> {
  const row = await syncRunModels(sequelize).SyncRun.findOne({ where: { kind }, order: [['id', 'DESC']] });
  return row ? syncRunView(row.get()) : null;
}

export async function listSyncRuns(sequelize: Sequelize, kind: SyncKind, limit = 20): Promise<SyncRunJson[]> {
  const rows = await syncRunModels(sequelize).SyncRun.findAll({ where: { kind }, order: [['id', 'DESC']], limit });
  return rows.map((r) => syncRunView(r.get()));
}
