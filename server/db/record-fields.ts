/**
 * A record's declared fields (shared/record-fields.ts) to and from its table: the columns an
 * input sets, a new record's row, the view of a row, and the audit log's copy of a change. Every
 * function walks the whole declaration, so a declared field cannot be left out of one.
 */
import { maskIdentifier, type ColumnsOf, type FieldTable, type ViewOf } from '@shared/record-fields';
import { pinyinInitials } from '../util/pinyin';
import { dateOnlyOrNull, isoOrNull } from './lookup';

const mappedFields = (fields: FieldTable) => Object.entries(fields).filter(([, f]) => f.mapped !== false);

/** A field's column and, for one declared with `initialsColumn`, that column with the value's pinyin initials. */
const storedColumns = (f: FieldTable[string], value: unknown): [string, unknown][] => [
  [f.column, value],
  ...(f.initialsColumn ? [[f.initialsColumn, typeof value === 'string' ? pinyinInitials(value) : null] as [string, unknown]] : []),
];

/** The columns `input` sets: its defined fields, by column (a patch: fields not given stay as they are). */
export function columnsOf<T extends FieldTable>(fields: T, input: { readonly [K in keyof T]?: unknown }): Partial<ColumnsOf<T>> {
  const given = input as Record<string, unknown>;
  return Object.fromEntries(mappedFields(fields).flatMap(([key, f]) => (given[key] === undefined ? [] : storedColumns(f, given[key])))) as Partial<
    ColumnsOf<T>
  >;
}

/** A new record's columns: every field, its declared initial value (else null) where `input` has none. */
export function newColumns<T extends FieldTable>(fields: T, input: { readonly [K in keyof T]?: unknown }): ColumnsOf<T> {
  const given = input as Record<string, unknown>;
  return Object.fromEntries(mappedFields(fields).flatMap(([key, f]) => storedColumns(f, given[key] ?? f.initial ?? null))) as ColumnsOf<T>;
}

/** The declared initial values (a new customer's status and stage…), by API key. */
export const initialValues = (fields: FieldTable): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).flatMap(([key, f]) => (f.initial === undefined ? [] : [[key, f.initial]])));

/** The declared fields of a row as the API shows them. */
export function viewOf<T extends FieldTable>(fields: T, row: object): ViewOf<T> {
  const stored = row as Record<string, unknown>;
  const shown = (view: string | undefined, value: unknown) =>
    view === 'date' ? dateOnlyOrNull(value as string | null) : view === 'instant' ? isoOrNull(value as Date | null) : value;
  return Object.fromEntries(Object.entries(fields).flatMap(([key, f]) => (f.view === 'none' ? [] : [[key, shown(f.view, stored[f.column])]]))) as ViewOf<T>;
}

/**
 * What the audit log keeps of `diff` (keyed by API key or column; a value or a `[before, after]`
 * pair): the fields declared `audit: 'masked'` masked.
 */
export function auditedDiff(fields: FieldTable, diff: Record<string, unknown>): Record<string, unknown> {
  const masked = new Set(Object.entries(fields).flatMap(([key, f]) => (f.audit === 'masked' ? [key, f.column] : [])));
  const mask = (value: unknown) => (typeof value === 'string' ? maskIdentifier(value) : value);
  return Object.fromEntries(Object.entries(diff).map(([key, value]) => [key, !masked.has(key) ? value : Array.isArray(value) ? value.map(mask) : mask(value)]));
}
