import { DataTypes } from 'sequelize';
import { SEEDED_DICTIONARIES } from '@shared/dictionaries';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** Controlled values referenced by CRM fields, seeded with the defaults of this release. */
export const migration: Migration = {
  name: '0004_dictionaries',
  async up({ queryInterface: q, tableOptions }) {
    await q.createTable(
      'dictionaries',
      {
        ...id,
        type: { type: DataTypes.STRING(64), allowNull: false },
        code: { type: DataTypes.STRING(64), allowNull: false },
        label: { type: DataTypes.STRING(64), allowNull: false },
        sort_order: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        enabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('dictionaries', ['type', 'code'], { unique: true, name: 'dictionaries_type_code' });
    const now = new Date();
    await q.bulkInsert(
      'dictionaries',
      Object.entries(SEEDED_DICTIONARIES).flatMap(([type, values]) =>
        values.map(([code, label], i) => ({ type, code, label, sort_order: (i + 1) * 10, enabled: true, created_at: now, updated_at: now })),
      ),
    );
  },
  async down({ queryInterface: q }) {
    await q.dropTable('dictionaries');
  },
};
