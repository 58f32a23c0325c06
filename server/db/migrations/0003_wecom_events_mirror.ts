import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** The callback inbox and the mirror of WeCom's external contacts (server/README.md#data-model, #callback-flow). */
export const migration: Migration = {
  name: '0003_wecom_events_mirror',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'wecom_events',
      {
        ...id,
        event_type: { type: DataTypes.STRING(64), allowNull: false },
        change_type: { type: DataTypes.STRING(64), allowNull: true },
        // sha256 of the canonical decrypted event: a WeCom retry collides, a different event never does.
        idempotency_key: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        // Events of one entity are applied in arrival order.
        entity_key: { type: DataTypes.STRING(191), allowNull: false },
        payload: { type: DataTypes.TEXT, allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        next_attempt_at: { type: DataTypes.DATE, allowNull: false },
        last_error: { type: DataTypes.TEXT, allowNull: true },
        locked_by: { type: DataTypes.STRING(64), allowNull: true },
        locked_at: { type: DataTypes.DATE, allowNull: true },
        received_at: { type: DataTypes.DATE, allowNull: false },
        processed_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('wecom_events', ['status', 'next_attempt_at'], { name: 'wecom_events_due' });
    await q.addIndex('wecom_events', ['entity_key', 'id'], { name: 'wecom_events_entity' });
    await q.addIndex('wecom_events', ['event_type', 'change_type'], { name: 'wecom_events_type' });

    await q.createTable(
      'wecom_external_contacts',
      {
        external_userid: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(128), allowNull: false },
        type: { type: DataTypes.INTEGER, allowNull: false },
        unionid: { type: DataTypes.STRING(64), allowNull: true },
        corp_name: { type: DataTypes.STRING(128), allowNull: true },
        corp_full_name: { type: DataTypes.STRING(256), allowNull: true },
        position: { type: DataTypes.STRING(128), allowNull: true },
        avatar: { type: DataTypes.STRING(512), allowNull: true },
        gender: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('wecom_external_contacts', ['unionid'], { name: 'wecom_external_contacts_unionid' });

    await q.createTable(
      'wecom_follow_relations',
      {
        ...id,
        external_userid: { type: DataTypes.STRING(64), allowNull: false },
        userid: { type: DataTypes.STRING(64), allowNull: false },
        remark: { type: DataTypes.STRING(128), allowNull: true },
        description: { type: DataTypes.STRING(512), allowNull: true },
        remark_corp_name: { type: DataTypes.STRING(256), allowNull: true },
        remark_mobiles: { type: DataTypes.TEXT, allowNull: true },
        tag_ids: { type: DataTypes.TEXT, allowNull: true },
        add_way: { type: DataTypes.INTEGER, allowNull: true },
        state: { type: DataTypes.STRING(64), allowNull: true },
        oper_userid: { type: DataTypes.STRING(64), allowNull: true },
        added_at: { type: DataTypes.DATE, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        delete_reason: { type: DataTypes.STRING(32), allowNull: true },
        transfer_fail_reason: { type: DataTypes.STRING(64), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('wecom_follow_relations', ['external_userid', 'userid'], { unique: true, name: 'wecom_follow_relations_pair' });
    await q.addIndex('wecom_follow_relations', ['userid'], { name: 'wecom_follow_relations_userid' });

    await q.createTable(
      'wecom_corp_tags',
      {
        id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        group_id: { type: DataTypes.STRING(64), allowNull: false },
        group_name: { type: DataTypes.STRING(128), allowNull: false },
        name: { type: DataTypes.STRING(128), allowNull: false },
        sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );

    await q.createTable(
      'wecom_group_chats',
      {
        chat_id: { type: DataTypes.STRING(64), primaryKey: true, allowNull: false },
        name: { type: DataTypes.STRING(256), allowNull: true },
        owner: { type: DataTypes.STRING(64), allowNull: true },
        notice: { type: DataTypes.TEXT, allowNull: true },
        members: { type: DataTypes.TEXT, allowNull: false },
        member_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_time: { type: DataTypes.DATE, allowNull: true },
        dismissed_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
  },
  async down({ queryInterface: q }) {
    for (const t of ['wecom_group_chats', 'wecom_corp_tags', 'wecom_follow_relations', 'wecom_external_contacts', 'wecom_events']) {
      await q.dropTable(t);
    }
  },
};
