/**
 * One declaration per field of a record (customers, consignment partners, contacts): the API key,
 * its table column, its zod rule, its Chinese name, and where it has them its import column and how
 * its view and the audit log show it. The zod schemas, the camelCase → column mappers, the import
 * and export columns, the audit log's field names and the row → view copy all derive from the
 * declaration (server/db/record-fields.ts, server/modules/imports/columns.ts), so a field is added
 * in one place and no mapper can leave it out. No zod at run time here: the H5 imports this file.
 */
import type { z } from 'zod';
import type { DictionaryType } from './dictionaries';

/** A column of an import (server/modules/imports/columns.ts reads sheets by these); exports write the same columns. */
export interface ImportColumn {
  /** The API field (or `owner`, `ownerAccount`, `id`). */
  key: string;
  /** The template's header. */
  header: string;
  /** Other names people use, Chinese or English. */
  aliases: readonly string[];
  required?: boolean;
  /** `id`: the record's number in the CRM, written by exports so a re-import finds the record. */
  type: 'text' | 'date' | 'dictionary' | 'choice' | 'owner' | 'id';
  /** Fold full-width letters and digits (codes, e-mail addresses); names are kept as typed. */
  fold?: boolean;
  dictionary?: DictionaryType;
  /** For `choice`: a fixed set, code → label (either is accepted). */
  choices?: Readonly<Record<string, string>>;
  /** For `choice`: exports write the label, not the code. */
  exportLabel?: boolean;
  /**
   * A phone or ID number: exports write it masked (138****1234) unless the export is a full one,
   * approved first (server/README.md#customer-data-exports); an import reads a masked cell as blank.
   */
  masked?: boolean;
  /** The template's example value. */
  sample: string;
}

/** A field's own import column: keyed by the field, headed by its label, of its dictionary. */
export type ImportCell = Omit<ImportColumn, 'key' | 'header' | 'dictionary'>;

export interface Field {
  /** The table's column. */
  readonly column: string;
  /** What the API accepts (create; a patch takes every field as optional). */
  readonly rule: z.ZodType;
  /** The Chinese name: the import column's header, the audit log's name for it. */
  readonly label: string;
  /** Its values are this dictionary's codes: enabled ones only, on every write (dictionaries/service.ts); imported and exported by label. */
  readonly dictionary?: DictionaryType;
  /** The import column(s) it is read from, which exports write too; none: neither imported nor exported. */
  readonly import?: ImportCell | readonly ImportColumn[];
  /** How the view shows the column: as stored (default), a DATEONLY as YYYY-MM-DD, a DATETIME in ISO; `none`: the service shows it. */
  readonly view?: 'date' | 'instant' | 'none';
  /** The value a new record gets when the input has none (else null). */
  readonly initial?: string;
  /** `false`: the service writes the column itself (the owner through resolveOwnership, the one primary contact). */
  readonly mapped?: false;
  /** `masked`: the audit log keeps it masked like 110***********1234 (an ID number is never logged). */
  readonly audit?: 'masked';
  /** A column that keeps the value's pinyin initials (张晨娜 → zcn) for the search: every write of the field sets it (server/db/record-fields.ts). */
  readonly initialsColumn?: string;
}

export type FieldTable = Readonly<Record<string, Field>>;

/** Declares a record's fields, keeping their literal columns (the types below are keyed by them). */
export const declareFields = <const T extends FieldTable>(fields: T): T => fields;

/** The value a field stores: its rule's output, never undefined. */
type Stored<F extends Field> = Exclude<z.output<F['rule']>, undefined>;

/** The columns the mappers write, typed by the rules: a record's row type extends this (models.ts), so its model must have them. */
export type ColumnsOf<T extends FieldTable> = { -readonly [K in keyof T as T[K] extends { mapped: false } ? never : T[K]['column']]: Stored<T[K]> };

/** The fields as the view shows them (dates as text). */
export type ViewOf<T extends FieldTable> = {
  -readonly [K in keyof T as T[K] extends { view: 'none' } ? never : K]: T[K] extends { view: 'date' | 'instant' } ? string | null : Stored<T[K]>;
};

/** The zod shape of the fields, for `z.object`. */
export const schemaShape = <T extends FieldTable>(fields: T) =>
  Object.fromEntries(Object.entries(fields).map(([key, f]) => [key, f.rule])) as { [K in keyof T]: T[K]['rule'] };

/** The Chinese name of each field, by API key and by column (audit diffs use either). */
export const fieldLabels = (fields: FieldTable): Record<string, string> =>
  Object.fromEntries(Object.entries(fields).flatMap(([key, f]) => [[key, f.label] as const, [f.column, f.label] as const]));

/** A masked identifier as lists and the audit log show it: 110***********1234 (short ones all masked). */
export const maskIdentifier = (value: string): string =>
  value.length > 8 ? `${value.slice(0, 3)}${'*'.repeat(value.length - 7)}${value.slice(-4)}` : '*'.repeat(value.length);

/** A value as `maskIdentifier` wrote it (a run of `*` inside): an import leaves the field as it is. */
export const isMaskedIdentifier = (value: string): boolean => /\*{3,}/.test(value);

/** The owner's import columns (customers, partners): a name, or the WeCom userid exports write so a re-import never trips over two people of one name. */
export const OWNER_COLUMNS: readonly ImportColumn[] = [
  { key: 'owner', header: '负责人', aliases: ['客户经理', '归属人', '所属人员', 'owner'], type: 'owner', sample: '李娜' },
  { key: 'ownerAccount', header: '负责人账号', aliases: ['负责人企业微信账号', '企业微信账号', 'owner userid', 'owner account'], type: 'owner', sample: '' },
];

/** The 备注 column of the record imports. */
export const NOTES_CELL: ImportCell = { aliases: ['说明', 'notes', 'note', 'remark', 'remarks'], type: 'text', sample: '' };
