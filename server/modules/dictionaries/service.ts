/**
 * Controlled values (server/README.md#data-model). A field that references a dictionary accepts only enabled codes
 * of its type — except that a record may keep a value that was disabled after it was written, so
 * old records stay editable and readable.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import { DICTIONARY_TYPE_CODES, DICTIONARY_TYPES, type DictionariesResponse, type DictionaryType, type DictionaryValue } from '@shared/dictionaries';
import type { FieldTable } from '@shared/record-fields';
import { sqlList } from '../../db/dialect';
import { conflict, notFound, validationFailed } from '../../errors';
import { audit, type Actor } from '../audit/service';

interface DictionaryRow {
  type: DictionaryType;
  code: string;
  label: string;
  sort_order: number;
  enabled: boolean | number;
  probability?: number | null;
}

function view(row: DictionaryRow): DictionaryValue {
  const value: DictionaryValue = { code: row.code, label: row.label, sortOrder: Number(row.sort_order), enabled: Boolean(row.enabled) };
  if (row.probability !== null && row.probability !== undefined) value.probability = Number(row.probability);
  return value;
}

export async function listDictionaries(sequelize: Sequelize): Promise<DictionariesResponse> {
  const rows = await sequelize.query<DictionaryRow>(
    'SELECT type, code, label, sort_order, enabled, probability FROM dictionaries ORDER BY type, sort_order, id',
    {
      type: QueryTypes.SELECT,
    },
  );
  const out = Object.fromEntries(DICTIONARY_TYPE_CODES.map((t) => [t, [] as DictionaryValue[]])) as DictionariesResponse;
  for (const row of rows) out[row.type]?.push(view(row));
  return out;
}

export interface DictionaryCheck {
  /** The request field, named in the error (`lifecycleStage`). */
  field: string;
  type: DictionaryType;
  value: string | null | undefined;
  /** The record's current value: still accepted if it has since been disabled. */
  previous?: string | null;
}

/** The checks of a record's fields declared with a dictionary (shared/record-fields.ts); `previous`: its row. */
export function declaredDictionaryChecks(fields: FieldTable, input: Readonly<Record<string, unknown>>, previous?: object): DictionaryCheck[] {
  const before = previous as Record<string, string | null> | undefined;
  return Object.entries(fields).flatMap(([field, { dictionary, column }]) =>
    dictionary ? [{ field, type: dictionary, value: input[field] as string | null | undefined, previous: before?.[column] }] : [],
  );
}

/** Throws one 400 naming every bad field and its allowed codes. */
export async function assertDictionaryValues(sequelize: Sequelize, checks: DictionaryCheck[]): Promise<void> {
  const relevant = checks.filter((c) => c.value !== null && c.value !== undefined);
  if (relevant.length === 0) return;
  const types = [...new Set(relevant.map((c) => c.type))];
  const rows = await sequelize.query<DictionaryRow>(
    `SELECT type, code, label, sort_order, enabled FROM dictionaries WHERE type IN (${sqlList(types)}) ORDER BY sort_order`,
    { replacements: types, type: QueryTypes.SELECT },
  );
  const issues = relevant.flatMap((c) => {
    const ofType = rows.filter((r) => r.type === c.type);
    const match = ofType.find((r) => r.code === c.value);
    if (match && (Boolean(match.enabled) || c.value === c.previous)) return [];
    const enabled = ofType.filter((r) => Boolean(r.enabled));
    // The message names the choices as a person sees them; `allowed` keeps the codes for a program.
    const labels = enabled.map((r) => r.label).join('、');
    return [{ field: c.field, message: `${DICTIONARY_TYPES[c.type]}只能是：${labels}`, allowed: enabled.map((r) => r.code) }];
  });
  if (issues.length) throw validationFailed('字段取值不在允许范围内', issues);
}

/**
 * The code of a value an admin adds by its name alone: `custom_<n>`, one past the highest such code
 * of the type. Codes are what records store and imports may name; people only ever see the label.
 */
export function nextCustomCode(codes: string[]): string {
  const taken = codes.map((c) => /^custom_(\d+)$/.exec(c)).map((m) => (m ? Number(m[1]) : 0));
  return `custom_${Math.max(0, ...taken) + 1}`;
}

export async function addDictionaryValue(
  sequelize: Sequelize,
  actor: Actor,
  type: DictionaryType,
  input: { code?: string; label: string; sortOrder?: number; probability?: number },
): Promise<DictionaryValue> {
  return sequelize.transaction(async (transaction) => {
    const values = await sequelize.query<{ code: string; label: string }>('SELECT code, label FROM dictionaries WHERE type = ?', {
      replacements: [type],
      type: QueryTypes.SELECT,
      transaction,
    });
    if (input.code !== undefined && values.some((v) => v.code === input.code)) throw conflict(`${DICTIONARY_TYPES[type]}已有编码 ${input.code}`);
    // Two values a picker shows with the same name cannot be told apart.
    if (values.some((v) => v.label === input.label)) throw conflict(`${DICTIONARY_TYPES[type]}已有「${input.label}」`);
    const code = input.code ?? nextCustomCode(values.map((v) => v.code));
    const [max] = await sequelize.query<{ m: number | null }>('SELECT MAX(sort_order) AS m FROM dictionaries WHERE type = ?', {
      replacements: [type],
      type: QueryTypes.SELECT,
      transaction,
    });
    const sortOrder = input.sortOrder ?? Number(max?.m ?? 0) + 10;
    const now = new Date();
    // A new 商机阶段 weighs nothing in the forecast until its probability is set.
    const probability = type === 'opportunity_stage' ? (input.probability ?? 0) : null;
    await sequelize.query(
      'INSERT INTO dictionaries (type, code, label, sort_order, enabled, probability, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      {
        replacements: [type, code, input.label, sortOrder, true, probability, now, now],
        transaction,
      },
    );
    await audit(
      sequelize,
      actor,
      { action: 'dictionary.add', entity: 'dictionary', entityId: `${type}:${code}`, summary: `新增${DICTIONARY_TYPES[type]}：${input.label}` },
      { transaction },
    );
    return { code, label: input.label, sortOrder, enabled: true, ...(probability === null ? {} : { probability }) };
  });
}

export async function updateDictionaryValue(
  sequelize: Sequelize,
  actor: Actor,
  type: DictionaryType,
  code: string,
  patch: { label?: string; sortOrder?: number; enabled?: boolean; probability?: number },
): Promise<DictionaryValue> {
  if (patch.probability !== undefined && type !== 'opportunity_stage')
    throw validationFailed('只有商机阶段有成交概率', [{ field: 'probability', message: '只有商机阶段有成交概率' }]);
  // 成交 and 输单 close every opportunity (shared/opportunities.ts): they are never switched off, and their probability is fixed.
  if (type === 'opportunity_stage' && (code === 'won' || code === 'lost') && (patch.enabled === false || patch.probability !== undefined))
    throw validationFailed('成交和输单阶段不能停用或修改概率', [
      { field: patch.enabled === false ? 'enabled' : 'probability', message: '成交和输单阶段不能停用或修改概率' },
    ]);
  return sequelize.transaction(async (transaction) => {
    const [row] = await sequelize.query<DictionaryRow>(
      'SELECT type, code, label, sort_order, enabled, probability FROM dictionaries WHERE type = ? AND code = ?',
      {
        replacements: [type, code],
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    if (!row) throw notFound(`没有这个${DICTIONARY_TYPES[type]}，请刷新后重试`);
    if (patch.label !== undefined && patch.label !== row.label) {
      const [taken] = await sequelize.query('SELECT 1 AS x FROM dictionaries WHERE type = ? AND label = ? AND code <> ?', {
        replacements: [type, patch.label, code],
        type: QueryTypes.SELECT,
        transaction,
      });
      if (taken) throw conflict(`${DICTIONARY_TYPES[type]}已有「${patch.label}」`);
    }
    const before = view(row);
    const after: DictionaryValue = {
      code,
      label: patch.label ?? before.label,
      sortOrder: patch.sortOrder ?? before.sortOrder,
      enabled: patch.enabled ?? before.enabled,
    };
    const probability = patch.probability ?? before.probability;
    if (probability !== undefined) after.probability = probability;
    await sequelize.query('UPDATE dictionaries SET label = ?, sort_order = ?, enabled = ?, probability = ?, updated_at = ? WHERE type = ? AND code = ?', {
      replacements: [after.label, after.sortOrder, after.enabled, probability ?? null, new Date(), type, code],
      transaction,
    });
    await audit(
      sequelize,
      actor,
      {
        action: 'dictionary.update',
        entity: 'dictionary',
        entityId: `${type}:${code}`,
        summary: `修改${DICTIONARY_TYPES[type]}：${after.label}`,
        diff: { before, after },
      },
      { transaction },
    );
    return after;
  });
}
