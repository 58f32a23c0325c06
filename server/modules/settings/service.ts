/**
 * Corp settings: one row per key in `corp_settings` (JSON values). A key never written reads as
 * its default, which depends on the deployment: demo mode starts with lead auto-creation on.
 */
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { DEFAULT_EXPORT_APPROVAL_THRESHOLD } from '@shared/exports';
import { corpSettingsSchema, type CorpSettings } from '@shared/settings';
import type { Config } from '../../../config';
import { upsertRow } from '../../db/dialect';
import { audit, type Actor } from '../audit/service';

export async function readSettings(sequelize: Sequelize, defaults: CorpSettings, transaction?: Transaction): Promise<CorpSettings> {
  const rows = await sequelize.query<{ name: string; value: string }>('SELECT name, value FROM corp_settings', { type: QueryTypes.SELECT, transaction });
  const stored = Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.value) as unknown]));
  // Keys of an older or newer release are ignored; a malformed value falls back to the default.
  const parsed = corpSettingsSchema.partial().safeParse(stored);
  return { ...defaults, ...(parsed.success ? parsed.data : {}) };
}

export async function updateSettings(sequelize: Sequelize, actor: Actor, defaults: CorpSettings, patch: Partial<CorpSettings>): Promise<CorpSettings> {
  await sequelize.transaction(async (transaction) => {
    const now = new Date();
    for (const [name, value] of Object.entries(patch)) {
      await upsertRow(
        sequelize,
        'corp_settings',
        { name, value: JSON.stringify(value), updated_by: actor.userId, created_at: now, updated_at: now },
        ['name'],
        ['value', 'updated_by', 'updated_at'],
        { transaction },
      );
    }
    await audit(
      sequelize,
      actor,
      { action: 'settings.update', entity: 'settings', summary: `修改企业设置：${Object.keys(patch).join(', ')}`, diff: patch },
      { transaction },
    );
  });
  return readSettings(sequelize, defaults);
}

/** What a corp gets before an admin changes anything: demo mode auto-creates leads, a live corp opts in. */
export function settingDefaults(config: Config): CorpSettings {
  return {
    autoCreateLeads: config.wecom.mode === 'simulator',
    dailyDigest: true,
    digestTime: '09:00',
    staleDays: 30,
    notifyMatching: true,
    notifyTransfer: true,
    notifyChurn: true,
    coFollowerFollowUps: true,
    remarkWriteBack: config.wecom.mode === 'simulator',
    remarkWriteBackName: false,
    exportApprovalThreshold: DEFAULT_EXPORT_APPROVAL_THRESHOLD,
    quickReplyReview: false,
  };
}
