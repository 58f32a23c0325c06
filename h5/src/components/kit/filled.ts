/**
 * A form's values from the record it edits: each field of `blank` takes the record's value, and
 * keeps the blank one where the record has none (null: an empty text field shows '' rather than
 * null). Fields the record does not have (an upload's id, a draft's own flags) stay blank.
 */
export function filled<F extends object>(blank: F, record: { [K in keyof F]?: F[K] | null }): F {
  const out = { ...blank };
  for (const key of Object.keys(blank) as (keyof F)[]) out[key] = record[key] ?? blank[key];
  return out;
}
