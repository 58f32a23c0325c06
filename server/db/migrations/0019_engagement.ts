import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * Engagement: uploaded images (and the WeCom media_id each currently has, good for three days),
 * welcome templates (one per scope: the corp, a department, a rep or a 渠道活码 — `scope_key`
 * unique), one row per WelcomeCode handled (unique: a welcome goes out once however often WeCom
 * delivers the add), 渠道活码 with their WeCom `config_id` and `state` (both unique), the 话术库,
 * and which corp tags this app created (the only ones it may edit, 92117).
 */
export const migration: Migration = {
  name: '0019_engagement',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'media_files',
      {
        ...id,
        name: { type: DataTypes.STRING(128), allowNull: false },
        mime: { type: DataTypes.STRING(64), allowNull: false },
        size: { type: DataTypes.INTEGER, allowNull: false },
        sha256: { type: DataTypes.STRING(64), allowNull: false },
        content: { type: DataTypes.BLOB('medium'), allowNull: false },
        wecom_media_id: { type: DataTypes.STRING(128), allowNull: true },
        wecom_media_expires_at: { type: DataTypes.DATE, allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'welcome_templates',
      {
        ...id,
        scope: { type: DataTypes.STRING(16), allowNull: false },
        scope_id: { type: DataTypes.INTEGER, allowNull: true },
        scope_key: { type: DataTypes.STRING(40), allowNull: false, unique: true },
        text: { type: DataTypes.TEXT, allowNull: false },
        attachment: { type: DataTypes.TEXT, allowNull: true },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        updated_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'welcome_sends',
      {
        ...id,
        welcome_code: { type: DataTypes.STRING(128), allowNull: false, unique: true },
        external_userid: { type: DataTypes.STRING(64), allowNull: false },
        userid: { type: DataTypes.STRING(64), allowNull: false },
        template_id: { type: DataTypes.INTEGER, allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        errcode: { type: DataTypes.INTEGER, allowNull: true },
        detail: { type: DataTypes.STRING(255), allowNull: true },
        latency_ms: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('welcome_sends', ['created_at'], { name: 'welcome_sends_created' });
    await q.createTable(
      'contact_ways',
      {
        ...id,
        name: { type: DataTypes.STRING(30), allowNull: false },
        state: { type: DataTypes.STRING(30), allowNull: false, unique: true },
        config_id: { type: DataTypes.STRING(64), allowNull: true, unique: true },
        qr_code: { type: DataTypes.STRING(512), allowNull: true },
        user_ids: { type: DataTypes.TEXT, allowNull: false },
        skip_verify: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        tag_ids: { type: DataTypes.TEXT, allowNull: false },
        source: { type: DataTypes.STRING(32), allowNull: true },
        owner_rule: { type: DataTypes.STRING(16), allowNull: false },
        owner_user_id: { type: DataTypes.INTEGER, allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.createTable(
      'quick_replies',
      {
        ...id,
        category: { type: DataTypes.STRING(32), allowNull: false },
        title: { type: DataTypes.STRING(64), allowNull: false },
        kind: { type: DataTypes.STRING(16), allowNull: false },
        content: { type: DataTypes.TEXT, allowNull: true },
        link_url: { type: DataTypes.STRING(512), allowNull: true },
        media_file_id: { type: DataTypes.INTEGER, allowNull: true },
        sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        use_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('quick_replies', ['category', 'sort_order'], { name: 'quick_replies_category' });
    await q.addColumn('wecom_corp_tags', 'created_by_app', { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false });
  },
  async down({ queryInterface: q }) {
    await q.removeColumn('wecom_corp_tags', 'created_by_app');
    for (const t of ['quick_replies', 'contact_ways', 'welcome_sends', 'welcome_templates', 'media_files']) await q.dropTable(t);
  },
};
