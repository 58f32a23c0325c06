import { QueryTypes, type Model, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';
import { assertIdentifier, sqlList } from './dialect';

/** `id → name` of the given rows of a table with a `name` column (owners, products, partners…). */
export async function namesById(
  sequelize: Sequelize,
  table: 'users' | 'departments' | 'customers' | 'products' | 'consignment_partners',
  ids: Iterable<number | null | undefined>,
  transaction?: Transaction,
): Promise<Map<number, string>> {
  assertIdentifier(table);
  const wanted = [...new Set([...ids].filter((id): id is number => typeof id === 'number'))];
  if (wanted.length === 0) return new Map();
  const rows = await sequelize.query<{ id: number; name: string }>(`SELECT id, name FROM ${table} WHERE id IN (${sqlList(wanted)})`, {
    replacements: wanted,
    type: QueryTypes.SELECT,
    transaction,
  });
  return new Map(rows.map((r) => [Number(r.id), r.name]));
}

/** `{id, name}` of a row, with '' when the name lookup found nothing. */
export const named = (names: Map<number, string>, id: number) => ({ id, name: names.get(id) ?? '' });

/** Dates as the API writes them (ISO 8601, UTC); DATEONLY columns stay `YYYY-MM-DD`. */
export const isoOrNull = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);
export const iso = (d: Date | string): string => new Date(d).toISOString();
export const dateOnlyOrNull = (d: Date | string | null | undefined): string | null =>
  d === null || d === undefined ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10);

/**
 * Optimistic concurrency: applies `changes` to the live row `id` only if it is still at
 * `version` (and moves it on); false when someone saved first.
 */
export async function updateAtVersion<M extends ModelStatic<Model>>(
  model: M,
  id: number,
  version: number,
  changes: object,
  transaction: Transaction,
): Promise<boolean> {
  const [affected] = await model.update({ ...changes, version: version + 1 }, { where: { id, version, deleted_at: null }, transaction });
  return affected === 1;
}
