/**
 * From sheet rows to a plan: each data row validated with the API's schema, its owner resolved
 * inside the importer's scope, duplicates found within the file and on file, and an outcome —
 * create, update, skip or fail — with every problem named by row and column.
 */
// Raw SQL on other modules' tables, on purpose: an owner column matches a WeCom userid or an active
// employee's name in one read per distinct value.
import { QueryTypes, type Sequelize } from 'sequelize';
import { DICTIONARY_TYPES, type DictionariesResponse } from '@shared/dictionaries';
import type { ImportMode, ImportRowError } from '@shared/imports';
import { CONTROL_CHARACTER_MESSAGE, CONTROL_CHARACTERS_EXCEPT_LAYOUT, pictureControlCharacters } from '@shared/fields';
import { PHONE_MESSAGE, parsePhone } from '@shared/phone';
import { isMaskedIdentifier } from '@shared/record-fields';
import { DomainError } from '../../errors';
import { canSee } from '../roles/access';
import { resolveOwnership, type Caller, type Ownership } from '../roles/ownership';
import { cellCode, cellDate, cellText, normalizeHeader, type SheetLayout } from './columns';
import { key, type KindSpec, type OnFile } from './kinds';
import type { Cell, SheetRow } from './workbook';

export type RowOutcome =
  | { row: number; action: 'create'; input: Record<string, unknown>; ownership: Ownership; errors: [] }
  | { row: number; action: 'update'; record: OnFile; changes: Record<string, unknown>; errors: [] }
  | { row: number; action: 'skip' | 'fail'; errors: ImportRowError[] };

interface Checked {
  row: number;
  /** Values for a new record (defaults filled) and what the file itself says (for updates). */
  input: Record<string, unknown>;
  given: Record<string, unknown>;
  ownerText: string | null;
  /** The CRM number an exported row carries, if any. */
  recordId: number | null;
  keys: string[];
}

/** A cell as the error report shows it: control characters drawn as their Unicode pictures (␀, ␛…). */
const shown = (cell: Cell | undefined) => (cell === null || cell === undefined ? null : pictureControlCharacters(String(cell).slice(0, 200)));

export async function planRows(
  sequelize: Sequelize,
  spec: KindSpec,
  layout: SheetLayout,
  rows: SheetRow[],
  caller: Caller,
  mode: ImportMode,
  dictionaries: DictionariesResponse,
): Promise<RowOutcome[]> {
  const outcomes = new Map<number, RowOutcome>();
  const describe = (k: string) => (k.startsWith('id:') ? `系统编号 ${k.slice(3)}` : spec.describe(k));
  const fail = (row: number, errors: ImportRowError[], action: 'skip' | 'fail' = 'fail') => outcomes.set(row, { row, action, errors });
  const checked: Checked[] = [];
  for (const [i, row] of rows.entries()) {
    // Checking is CPU work: let other requests through now and then on a big file.
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    const result = checkRow(spec, layout, row, dictionaries);
    if ('errors' in result) fail(row.number, result.errors);
    else checked.push(result);
  }

  if (spec.resolve) await resolveReferences(sequelize, spec, layout, caller, checked, fail);

  // The same record twice in the file: the first row stands, later ones are duplicates.
  const firstRowOf = new Map<string, number>();
  const unique: Checked[] = [];
  for (const c of checked) {
    const seen = c.keys.find((k) => firstRowOf.has(k));
    if (seen) {
      fail(c.row, [{ row: c.row, column: null, value: null, message: `重复：与第 ${firstRowOf.get(seen)} 行是同一${spec.noun}（${describe(seen)}）` }], 'skip');
      continue;
    }
    for (const k of c.keys) firstRowOf.set(k, c.row);
    unique.push(c);
  }

  const onFile = await spec.onFile(sequelize, [...firstRowOf.keys()]);
  const owners = ownerResolver(sequelize, caller);
  const rowOfRecord = new Map<number, number>();
  for (const c of unique) {
    if (c.recordId && !onFile.has(key('id', c.recordId))) {
      fail(c.row, [
        {
          row: c.row,
          column: layout.headerOf.get('id') ?? '系统编号',
          value: String(c.recordId),
          message: `系统编号 ${c.recordId} 的${spec.noun}不存在或已删除；新增请清空这一格`,
        },
      ]);
      continue;
    }
    const matched = c.keys.find((k) => onFile.has(k));
    const record = matched ? onFile.get(matched)! : null;
    if (record && matched) {
      const earlier = rowOfRecord.get(record.id);
      if (earlier !== undefined) {
        fail(c.row, [{ row: c.row, column: null, value: null, message: `重复：与第 ${earlier} 行对应同一条已有${spec.noun}` }], 'skip');
        continue;
      }
      rowOfRecord.set(record.id, c.row);
      if (mode === 'create' && !spec.reference) {
        fail(c.row, [{ row: c.row, column: null, value: null, message: `重复：已有相同${spec.noun}（${describe(matched)}），未导入` }], 'skip');
      } else if (!spec.reference && !canSee(caller.access, { ownerUserId: record.owner_user_id, departmentId: record.department_id })) {
        fail(c.row, [{ row: c.row, column: null, value: null, message: `已有相同${spec.noun}（${describe(matched)}），但不在你的数据范围内，不能更新` }]);
      } else {
        const changes = spec.changes(record, c.given);
        if (Object.keys(changes).length === 0) outcomes.set(c.row, { row: c.row, action: 'skip', errors: [] });
        else outcomes.set(c.row, { row: c.row, action: 'update', record, changes, errors: [] });
      }
      continue;
    }
    // Reference rows (NAVs) belong to nobody: no owner to resolve.
    const owner = spec.reference ? { ownerUserId: caller.access.userId, departmentId: 0 } : await owners(c.ownerText);
    if ('message' in owner) {
      fail(c.row, [{ row: c.row, column: layout.headerOf.get('owner') ?? '负责人', value: c.ownerText, message: owner.message }]);
    } else {
      outcomes.set(c.row, { row: c.row, action: 'create', input: c.input, ownership: owner, errors: [] });
    }
  }
  if (spec.restricted && !caller.access.permissions.has(spec.restricted.permission)) refuseRestricted(spec.restricted, outcomes);
  return rows.map((r) => outcomes.get(r.number)!);
}

/** Rows that would set columns the importer may not (a new value on a new record, or a change on one on file). */
function refuseRestricted(restricted: NonNullable<KindSpec['restricted']>, outcomes: Map<number, RowOutcome>): void {
  for (const o of outcomes.values()) {
    const touches =
      o.action === 'create'
        ? Object.entries(restricted.defaults).some(([field, fallback]) => o.input[field] !== undefined && o.input[field] !== fallback)
        : o.action === 'update' && restricted.columns.some((c) => c in o.changes);
    if (touches) outcomes.set(o.row, { row: o.row, action: 'fail', errors: [{ row: o.row, column: null, value: null, message: restricted.message }] });
  }
}

/** History kinds: names → ids, in place; rows that cannot be resolved leave `checked` with their errors. */
async function resolveReferences(
  sequelize: Sequelize,
  spec: KindSpec,
  layout: SheetLayout,
  caller: Caller,
  checked: Checked[],
  fail: (row: number, errors: ImportRowError[]) => void,
): Promise<void> {
  const headerOf = (field: string) => layout.headerOf.get(field) ?? spec.columns.find((c) => c.key === field)?.header ?? null;
  const resolved = await spec.resolve!(
    sequelize,
    caller,
    checked.map((c) => ({
      row: c.row,
      input: c.input,
      ownerGiven: Boolean(c.ownerText),
      problem: (field: string, message: string) => ({
        row: c.row,
        column: headerOf(field),
        value: c.input[field] === undefined ? null : String(c.input[field]),
        message,
      }),
    })),
  );
  const kept = checked.filter((c) => {
    const r = resolved.get(c.row)!;
    if ('errors' in r) {
      fail(c.row, r.errors);
      return false;
    }
    c.input = r.input;
    c.given = r.input;
    c.keys = spec.identities(r.input);
    return true;
  });
  checked.splice(0, checked.length, ...kept);
}

/** One row through the columns and the API schema: values, or every problem it has. */
function checkRow(spec: KindSpec, layout: SheetLayout, row: SheetRow, dictionaries: DictionariesResponse): Checked | { errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const given: Record<string, unknown> = {};
  let ownerText: string | null = null;
  let recordId: number | null = null;
  const headerOf = (field: string) => layout.headerOf.get(field) ?? spec.columns.find((c) => c.key === field)?.header ?? field;
  const problem = (field: string, cell: Cell | undefined, message: string) =>
    errors.push({ row: row.number, column: headerOf(field), value: shown(cell), message });

  for (const column of spec.columns) {
    const index = layout.columnOf.get(column.key);
    if (index === undefined) continue;
    const cell = row.cells[index];
    if (typeof cell === 'string' && CONTROL_CHARACTERS_EXCEPT_LAYOUT.test(cell)) {
      problem(column.key, cell, CONTROL_CHARACTER_MESSAGE);
      continue;
    }
    if (column.type === 'id') {
      const text = cellText(cell);
      if (text !== null && !/^[1-9]\d{0,9}$/.test(text)) problem(column.key, cell, '系统编号应为正整数（来自导出文件），新增记录请留空');
      else if (text !== null) recordId = Number(text);
    } else if (column.type === 'owner') {
      // The account column, when filled, is the precise one (columns are listed name first).
      ownerText = cellText(cell) ?? ownerText;
    } else if (column.type === 'date') {
      const date = cellDate(cell);
      if (date === 'invalid') problem(column.key, cell, '日期格式不正确，应为 2026-03-01 这样的日期');
      else if (date) given[column.key] = date;
    } else if (column.type === 'choice') {
      const text = cellText(cell);
      const wanted = text === null ? null : normalizeHeader(text);
      const code = Object.entries(column.choices!).find(([c, label]) => normalizeHeader(c) === wanted || normalizeHeader(label) === wanted)?.[0];
      if (text !== null && !code)
        problem(
          column.key,
          cell,
          `应为${Object.entries(column.choices!)
            .map(([c, l]) => (c === l ? c : `${c}（${l}）`))
            .join('、')}之一`,
        );
      else if (code) given[column.key] = code;
    } else if (column.type === 'dictionary') {
      const values = dictionaries[column.dictionary!];
      const code = cellCode(cell, values);
      if (code === 'invalid') {
        const allowed = values.filter((v) => v.enabled).map((v) => v.label);
        problem(column.key, cell, `不是有效的${DICTIONARY_TYPES[column.dictionary!]}，可选：${allowed.join('、')}`);
      } else if (code) given[column.key] = code;
    } else {
      const text = cellText(cell);
      // A masked phone or ID number (an export's 138****1234) says nothing new: the field stays as it is.
      if (text !== null && !(column.masked && isMaskedIdentifier(text))) given[column.key] = column.fold ? text.normalize('NFKC') : text;
    }
  }
  for (const field of spec.phoneFields) {
    if (given[field] === undefined) continue;
    const phone = parsePhone(String(given[field]));
    if (phone) given[field] = phone;
    else {
      problem(field, String(given[field]), PHONE_MESSAGE);
      delete given[field];
    }
  }
  const parsed = spec.schema.safeParse({ ...spec.defaults, ...given });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? '');
      if (errors.some((e) => e.column === headerOf(field))) continue;
      const index = layout.columnOf.get(field);
      problem(field, index === undefined ? null : row.cells[index], issue.message);
    }
  }
  if (errors.length || !parsed.success) return { errors };
  const input = parsed.data;
  const values = Object.fromEntries(Object.keys(given).map((k) => [k, input[k]]));
  return {
    row: row.number,
    input,
    given: values,
    ownerText,
    recordId,
    keys: spec.resolve ? [] : [...(recordId ? [key('id', recordId)] : []), ...spec.identities(input)],
  };
}

/** Owner cells (a name or a WeCom userid; blank = the importer) resolved once per distinct text. */
function ownerResolver(sequelize: Sequelize, caller: Caller): (text: string | null) => Promise<Ownership | { message: string }> {
  const cache = new Map<string, Promise<Ownership | { message: string }>>();
  const resolve = async (text: string | null): Promise<Ownership | { message: string }> => {
    let ownerUserId: number | undefined;
    if (text) {
      const people = await sequelize.query<{ id: number; wecom_userid: string; status: string }>(
        "SELECT id, wecom_userid, status FROM users WHERE wecom_userid = ? OR (name = ? AND status = 'active')",
        { replacements: [text, text], type: QueryTypes.SELECT },
      );
      const exact = people.find((p) => p.wecom_userid === text);
      if (!exact && people.length > 1) return { message: `有 ${people.length} 位同名同事，请填写负责人的企业微信账号` };
      const person = exact ?? people[0];
      if (!person) return { message: `找不到负责人「${text}」：请填写在职同事的姓名或企业微信账号` };
      ownerUserId = Number(person.id);
    }
    try {
      return await resolveOwnership(sequelize, caller, { ownerUserId });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      const detail = (err.details as { message?: string }[] | undefined)?.[0]?.message;
      return { message: `负责人「${text ?? '你自己'}」：${detail ?? err.message}` };
    }
  };
  return (text) => {
    const key = text ?? '';
    if (!cache.has(key)) cache.set(key, resolve(text));
    return cache.get(key)!;
  };
}
