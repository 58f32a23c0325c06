/**
 * Every declared field of customers, partners and contacts (shared/record-fields.ts) reaches its
 * column through the services' own mappers, comes back in the view, is a column of the model and
 * has its Chinese name — so a field a mapper drops, or a column a model lacks, fails here.
 */
import { Sequelize } from 'sequelize';
import { z } from 'zod';
import { CONTACT_FIELDS, CUSTOMER_FIELDS } from '@shared/customers';
import { PARTNER_FIELDS } from '@shared/partners';
import { declareFields, fieldLabels, maskIdentifier, type FieldTable } from '@shared/record-fields';
import { auditedDiff } from '../../server/db/record-fields';
import { contactModels } from '../../server/modules/contacts/models';
import { contactColumns, contactView } from '../../server/modules/contacts/service';
import { customerModels } from '../../server/modules/customers/models';
import { customerChanges, customerViewOf } from '../../server/modules/customers/service';
import { partnerModels } from '../../server/modules/partners/models';
import { partnerColumns } from '../../server/modules/partners/service';
import { KINDS } from '../../server/modules/imports/kinds';

/** Phones are normalised on the way (a bad one is refused), so those fields get a real number. */
const PHONES = new Set(['phone', 'contactPhone']);
/** A distinct value per field: what the mapper must put in that field's column. */
const sample = (key: string) => (PHONES.has(key) ? '13800138000' : `value of ${key}`);
const mapped = (fields: FieldTable) => Object.entries(fields).filter(([, f]) => f.mapped !== false);

const ENTITIES = [
  { name: 'customers', fields: CUSTOMER_FIELDS, map: (input: Record<string, unknown>) => customerChanges(input) },
  { name: 'partners', fields: PARTNER_FIELDS, map: (input: Record<string, unknown>) => partnerColumns(input) },
  { name: 'contacts', fields: CONTACT_FIELDS, map: (input: Record<string, unknown>) => contactColumns(input) },
];

describe.each(ENTITIES)('the declared fields of $name', ({ fields, map }) => {
  it('are each written to their column by the patch mapper, and nothing else is', () => {
    const input = Object.fromEntries(Object.keys(fields).map((key) => [key, sample(key)]));
    const columns = map(input) as Record<string, unknown>;

    // A field declared with `initialsColumn` (the customer's name) also writes its pinyin initials there.
    expect(Object.keys(columns).sort()).toEqual(
      mapped(fields)
        .flatMap(([, f]) => [f.column, ...(f.initialsColumn ? [f.initialsColumn] : [])])
        .sort(),
    );
    for (const [key, f] of mapped(fields)) expect([key, columns[f.column]]).toEqual([key, sample(key)]);
  });

  it('leave every column alone that a patch does not give', () => {
    expect(map({})).toEqual({});
  });

  it('each have a Chinese name', () => {
    const labels = fieldLabels(fields);
    for (const [key, f] of Object.entries(fields)) {
      expect(labels[key]).toMatch(/[\u4e00-\u9fff]/);
      expect(labels[f.column]).toBe(labels[key]);
    }
  });
});

describe('the models', () => {
  const sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  afterAll(() => sequelize.close());

  it.each([
    ['customers', CUSTOMER_FIELDS, () => customerModels(sequelize).Customer.getAttributes()],
    ['partners', PARTNER_FIELDS, () => partnerModels(sequelize).Partner.getAttributes()],
    ['contacts', CONTACT_FIELDS, () => contactModels(sequelize).Contact.getAttributes()],
  ] as const)('of %s have a column for every declared field', (_name, fields, attributesOf) => {
    const attributes = Object.keys(attributesOf());

    expect(attributes).toEqual(expect.arrayContaining(Object.values(fields).map((f) => f.column)));
  });
});

describe('the views', () => {
  /** A row holding each declared column's sample, dates as the database hands them back. */
  const rowOf = (fields: FieldTable, extra: Record<string, unknown>) => ({
    ...extra,
    ...Object.fromEntries(
      Object.entries(fields).map(([key, f]) => [
        f.column,
        f.view === 'date' ? '2001-02-03' : f.view === 'instant' ? new Date('2001-02-03T04:05:06Z') : sample(key),
      ]),
    ),
  });
  const expected = (fields: FieldTable) =>
    Object.fromEntries(
      Object.entries(fields)
        .filter(([, f]) => f.view !== 'none')
        .map(([key, f]) => [key, f.view === 'date' ? '2001-02-03' : f.view === 'instant' ? '2001-02-03T04:05:06.000Z' : sample(key)]),
    );
  const stamps = { id: 7, created_at: new Date(), updated_at: new Date() };

  it('of a customer show every declared field', () => {
    const view = customerViewOf(rowOf(CUSTOMER_FIELDS, { ...stamps, last_follow_up_at: null, version: 1 }) as never, { id: 1, name: '李娜' });

    expect(view).toMatchObject(expected(CUSTOMER_FIELDS));
  });

  it('of a contact show every declared field', () => {
    const view = contactView(rowOf(CONTACT_FIELDS, { ...stamps, customer_id: 3, primary_of_customer_id: 3 }) as never);

    expect(view).toMatchObject({ ...expected(CONTACT_FIELDS), isPrimary: true });
  });
});

describe('the record imports', () => {
  it.each([
    ['customers', CUSTOMER_FIELDS],
    ['partners', PARTNER_FIELDS],
  ] as const)('of %s read (and export) every importable field under its Chinese name', (kind, fields) => {
    const columns = KINDS[kind].columns;
    for (const [key, f] of Object.entries(fields)) {
      if (f.import && !Array.isArray(f.import)) expect(columns.find((c) => c.key === key)?.header).toBe(f.label);
    }
  });
});

describe('the audit log', () => {
  const fields = declareFields({
    secret: { column: 'secret_code', rule: z.string(), label: '密码', audit: 'masked' },
    name: { column: 'name', rule: z.string(), label: '名称' },
  });

  it('keeps a masked field masked, before and after, by API key or column', () => {
    expect(auditedDiff(fields, { secret_code: ['11010519491231002X', null], secret: '110101198005201236', name: '张伟' })).toEqual({
      secret_code: ['110***********002X', null],
      secret: '110***********1236',
      name: '张伟',
    });
  });

  it('masks a short identifier whole', () => {
    expect(maskIdentifier('E1234567')).toBe('********');
  });
});
