import { QueryTypes, type Sequelize } from 'sequelize';
import type { Dialect } from '../connection';
import type { Migration } from './types';

/**
 * "Already on file" is a schema rule, not only a check before the insert (two requests at once
 * both pass a check): among live (not deleted) rows, a customer's normalised phone is unique, so
 * is a customer's name at one institution, and a partner's name. The credit code was unique
 * already (0006).
 *
 * SQLite has partial indexes (`WHERE deleted_at IS NULL`); MySQL has none, so a stored generated
 * column holds the value only while the row is live (NULL otherwise, and NULLs never collide).
 */
interface LiveUnique {
  table: string;
  index: string;
  columns: string[];
  /** SQL that is true where the value must be unique (the row is live and the value set). */
  where: string;
}

const UNIQUES: LiveUnique[] = [
  { table: 'customers', index: 'customers_live_phone', columns: ['phone'], where: 'deleted_at IS NULL AND phone IS NOT NULL' },
  {
    table: 'customers',
    index: 'customers_live_name_institution',
    columns: ['name', 'institution'],
    where: 'deleted_at IS NULL AND institution IS NOT NULL',
  },
  { table: 'consignment_partners', index: 'consignment_partners_live_name', columns: ['name'], where: 'deleted_at IS NULL' },
];

/** Existing duplicates would make the index fail half-way: say which, and what to do. */
async function refuseExistingDuplicates(sequelize: Sequelize, u: LiveUnique): Promise<void> {
  const key = u.columns.join(', ');
  const rows = await sequelize.query<{ ids: string; n: number }>(
    `SELECT MIN(id) AS ids, COUNT(*) AS n FROM ${u.table} WHERE ${u.where} GROUP BY ${key} HAVING COUNT(*) > 1`,
    { type: QueryTypes.SELECT },
  );
  if (rows.length) {
    const examples = rows
      .slice(0, 5)
      .map((r) => r.ids)
      .join(', ');
    throw new Error(
      `0014_unique_identities: ${rows.length} groups of live ${u.table} rows share ${key} (first ids: ${examples}); merge or correct them, then migrate again`,
    );
  }
}

const liveColumn = (column: string) => `live_${column}`;

async function addLiveUnique(sequelize: Sequelize, dialect: Dialect, u: LiveUnique): Promise<void> {
  if (dialect === 'sqlite') {
    await sequelize.query(`CREATE UNIQUE INDEX ${u.index} ON ${u.table} (${u.columns.join(', ')}) WHERE ${u.where}`);
    return;
  }
  // One generated column per indexed column, NULL unless the row is live (and, for the
  // nullable part of the key, set): NULL in any part keeps the row out of the constraint.
  const generated: string[] = [];
  for (const column of u.columns) {
    const name = liveColumn(column);
    const exists = await sequelize.query(`SHOW COLUMNS FROM ${u.table} LIKE '${name}'`, { type: QueryTypes.SELECT });
    if (!exists.length) {
      await sequelize.query(`ALTER TABLE ${u.table} ADD COLUMN ${name} VARCHAR(256) GENERATED ALWAYS AS (CASE WHEN ${u.where} THEN ${column} END) STORED`);
    }
    generated.push(name);
  }
  await sequelize.query(`CREATE UNIQUE INDEX ${u.index} ON ${u.table} (${generated.join(', ')})`);
}

export const migration: Migration = {
  name: '0014_unique_identities',
  async up({ sequelize, dialect }) {
    for (const u of UNIQUES) await refuseExistingDuplicates(sequelize, u);
    for (const u of UNIQUES) await addLiveUnique(sequelize, dialect, u);
  },
  async down({ sequelize, dialect }) {
    for (const u of [...UNIQUES].reverse()) {
      await sequelize.query(dialect === 'sqlite' ? `DROP INDEX ${u.index}` : `DROP INDEX ${u.index} ON ${u.table}`);
    }
    if (dialect === 'mysql') {
      for (const [table, column] of [
        ['customers', 'phone'],
        ['customers', 'name'],
        ['customers', 'institution'],
        ['consignment_partners', 'name'],
      ] as const) {
        await sequelize.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS ${liveColumn(column)}`);
      }
    }
  },
};
