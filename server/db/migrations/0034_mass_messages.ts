import { DataTypes } from 'sequelize';
import { grant } from './0021_suitability';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 客户群发 (server/README.md#客户群发):
 * - on `customers`: `gender` and `salutation` (称呼) for greetings (shared/greeting.ts), and
 *   `marketing_opt_out` (不接收营销信息), which leaves the customer out of every 群发;
 * - `mass_messages`: the audience (the customer list's filter, JSON), the content (JSON, fixed once
 *   submitted: approval covers exactly it, `content_hash`), the product it is about, its approval
 *   and its state;
 * - `mass_message_recipients`: every customer of the audience when it was submitted — who sends to
 *   them, or why they are left out — and then WeCom's result for them;
 * - `mass_message_tasks`: one WeCom task (`add_msg_template` msgid) per sender and text;
 * - `mass_segments`: saved audiences.
 * 群发 is for managers and 运营 (`mass_message.manage`); 合规 reviews it (`mass_message.review`).
 */
const GRANTS: Record<string, string[]> = {
  manager: ['mass_message.manage'],
  operations: ['mass_message.manage'],
  compliance: ['mass_message.review'],
};

export const migration: Migration = {
  name: '0034_mass_messages',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('customers', 'gender', { type: DataTypes.STRING(8), allowNull: true });
    await q.addColumn('customers', 'salutation', { type: DataTypes.STRING(16), allowNull: true });
    // Nullable: the record-field mappers write NULL for a field an input leaves out (NULL reads as 「接收」).
    await q.addColumn('customers', 'marketing_opt_out', { type: DataTypes.BOOLEAN, allowNull: true, defaultValue: false });
    await q.createTable(
      'mass_messages',
      {
        ...id,
        title: { type: DataTypes.STRING(64), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        audience: { type: DataTypes.TEXT, allowNull: false },
        content: { type: DataTypes.TEXT, allowNull: false },
        content_hash: { type: DataTypes.STRING(64), allowNull: false },
        product_id: { type: DataTypes.INTEGER, allowNull: true },
        approval_id: { type: DataTypes.INTEGER, allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: false },
        department_id: { type: DataTypes.INTEGER, allowNull: true },
        dispatched_at: { type: DataTypes.DATE, allowNull: true },
        cancelled_at: { type: DataTypes.DATE, allowNull: true },
        error: { type: DataTypes.STRING(255), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('mass_messages', ['created_by', 'id'], { name: 'mass_messages_creator' });
    await q.addIndex('mass_messages', ['approval_id'], { name: 'mass_messages_approval' });
    await q.createTable(
      'mass_message_tasks',
      {
        ...id,
        mass_message_id: { type: DataTypes.INTEGER, allowNull: false },
        sender_user_id: { type: DataTypes.INTEGER, allowNull: false },
        sender_userid: { type: DataTypes.STRING(64), allowNull: false },
        text: { type: DataTypes.TEXT, allowNull: false },
        msgid: { type: DataTypes.STRING(128), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: false },
        sent_at: { type: DataTypes.DATE, allowNull: true },
        error: { type: DataTypes.STRING(255), allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('mass_message_tasks', ['mass_message_id'], { name: 'mass_message_tasks_message' });
    await q.addIndex('mass_message_tasks', ['sender_user_id', 'status'], { name: 'mass_message_tasks_sender' });
    await q.createTable(
      'mass_message_recipients',
      {
        ...id,
        mass_message_id: { type: DataTypes.INTEGER, allowNull: false },
        customer_id: { type: DataTypes.INTEGER, allowNull: false },
        task_id: { type: DataTypes.INTEGER, allowNull: true },
        external_userid: { type: DataTypes.STRING(64), allowNull: true },
        sender_user_id: { type: DataTypes.INTEGER, allowNull: true },
        excluded: { type: DataTypes.STRING(32), allowNull: true },
        excluded_detail: { type: DataTypes.STRING(128), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: true },
        sent_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('mass_message_recipients', ['mass_message_id', 'customer_id'], { name: 'mass_message_recipients_once', unique: true });
    await q.addIndex('mass_message_recipients', ['customer_id'], { name: 'mass_message_recipients_customer' });
    await q.addIndex('mass_message_recipients', ['task_id'], { name: 'mass_message_recipients_task' });
    await q.createTable(
      'mass_segments',
      {
        ...id,
        name: { type: DataTypes.STRING(32), allowNull: false },
        filter: { type: DataTypes.TEXT, allowNull: false },
        created_by: { type: DataTypes.INTEGER, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    await grant(q, GRANTS, true);
    for (const table of ['mass_segments', 'mass_message_recipients', 'mass_message_tasks', 'mass_messages']) await q.dropTable(table);
    // Plain DROP COLUMN, as 0021: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes and triggers.
    for (const column of ['marketing_opt_out', 'salutation', 'gender']) await q.sequelize.query(`ALTER TABLE customers DROP COLUMN ${column}`);
  },
};
