/**
 * A fixture, not the product: since migration 0032 a customer's risk level comes from the customer's
 * own questionnaire (server/modules/risk-questionnaire) and only 合规 (`suitability.correct_level`)
 * types one. Most test files still give their customers a level by hand as a rep (ASSESSED_C5 and
 * the like) to set up a sale; every migrated test database therefore lets the demo 销售 and 经理
 * roles do so. Tests of the questionnaire itself take it back with `withoutHandTypedRiskLevels`.
 */
import { QueryTypes, type Sequelize } from 'sequelize';

const ROLES = ['sales', 'manager'];
const PERMISSION = 'suitability.correct_level';

async function setGrant(sequelize: Sequelize, held: boolean): Promise<void> {
  const roles = await sequelize.query<{ id: number; code: string; permissions: string }>('SELECT id, code, permissions FROM roles', {
    type: QueryTypes.SELECT,
  });
  for (const role of roles.filter((r) => ROLES.includes(r.code))) {
    const permissions = (JSON.parse(role.permissions) as string[]).filter((p) => p !== PERMISSION);
    if (held) permissions.push(PERMISSION);
    await sequelize.query('UPDATE roles SET permissions = ? WHERE id = ?', { replacements: [JSON.stringify(permissions), role.id] });
  }
}

export const grantHandTypedRiskLevels = (sequelize: Sequelize) => setGrant(sequelize, true);

/** The product's roles: reps and managers send the questionnaire and cannot type a level. */
export const withoutHandTypedRiskLevels = (sequelize: Sequelize) => setGrant(sequelize, false);
