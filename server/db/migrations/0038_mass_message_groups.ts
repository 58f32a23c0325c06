import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/**
 * 客户群发 to 客户群 (server/README.md#客户群发):
 * - `mass_messages.kind`: `customer` (the customers of the audience, one task per rep) or `group`
 *   (customer groups from the group-chat mirror, one task per group owner: 92135 chat_type group);
 *   NULL reads as `customer` (the rows from before);
 * - `mass_message_groups`: every customer group of a group message when it was submitted — the
 *   owner who sends to it, or why it is left out — and then WeCom's result for it (93338).
 */
export const migration: Migration = {
  name: '0038_mass_message_groups',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('mass_messages', 'kind', { type: DataTypes.STRING(8), allowNull: true });
    await q.createTable(
      'mass_message_groups',
      {
        ...id,
        mass_message_id: { type: DataTypes.INTEGER, allowNull: false },
        chat_id: { type: DataTypes.STRING(64), allowNull: false },
        name: { type: DataTypes.STRING(256), allowNull: true },
        member_count: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        sender_user_id: { type: DataTypes.INTEGER, allowNull: true },
        task_id: { type: DataTypes.INTEGER, allowNull: true },
        excluded: { type: DataTypes.STRING(32), allowNull: true },
        status: { type: DataTypes.STRING(16), allowNull: true },
        sent_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('mass_message_groups', ['mass_message_id', 'chat_id'], { name: 'mass_message_groups_once', unique: true });
    await q.addIndex('mass_message_groups', ['task_id'], { name: 'mass_message_groups_task' });
  },
  async down({ queryInterface: q }) {
    await q.dropTable('mass_message_groups');
    // Plain DROP COLUMN, as 0034: Sequelize's SQLite removeColumn rebuilds the table and loses its indexes.
    await q.sequelize.query('ALTER TABLE mass_messages DROP COLUMN kind');
  },
};
