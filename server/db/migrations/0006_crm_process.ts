import { DataTypes } from 'sequelize';
import { id, timestamps } from './columns';
import type { Migration } from './types';

/** Product categories as first released (admins add more through the dictionary API). */
const PRODUCT_CATEGORIES: [code: string, label: string][] = [
  ['public_fund', '公募基金'],
  ['private_fund', '私募基金'],
  ['wealth', '银行理财'],
  ['insurance', '保险'],
  ['trust', '信托'],
];

const userRef = { model: 'users', key: 'id' };
const customerRef = { model: 'customers', key: 'id' };

/** Follow-ups of customers and of partners share these columns. */
const followUpColumns = {
  user_id: { type: DataTypes.INTEGER, allowNull: false, references: userRef },
  followed_at: { type: DataTypes.DATE, allowNull: false },
  channel: { type: DataTypes.STRING(32), allowNull: false },
  content: { type: DataTypes.TEXT, allowNull: false },
  outcome: { type: DataTypes.STRING(512), allowNull: true },
  next_action: { type: DataTypes.STRING(512), allowNull: true },
  next_follow_up_at: { type: DataTypes.DATE, allowNull: true },
  deleted_at: { type: DataTypes.DATE, allowNull: true },
  ...timestamps,
};

/**
 * The customer process beside the profile (server/README.md#data-model): contacts, follow-ups, stage changes,
 * WeCom links, products, holdings and their records, sales, consignment partners and their
 * follow-ups, targets. Money is stored in fen and shares in hundredths (integers), so sums are
 * exact on every dialect.
 */
/** holding_records' columns after its holding (0027_trade_ledger makes the table again on its way down). */
export const holdingRecordColumns = {
  kind: { type: DataTypes.STRING(16), allowNull: false },
  // Signed effects on the holding: its amount, cost and shares are the sums of these.
  amount_delta_fen: { type: DataTypes.BIGINT, allowNull: false },
  cost_delta_fen: { type: DataTypes.BIGINT, allowNull: false },
  shares_delta_hundredths: { type: DataTypes.BIGINT, allowNull: false },
  traded_on: { type: DataTypes.DATEONLY, allowNull: false },
  user_id: { type: DataTypes.INTEGER, allowNull: true },
  notes: { type: DataTypes.STRING(512), allowNull: true },
};

export const migration: Migration = {
  name: '0006_crm_process',
  async up({ queryInterface: q, tableOptions }) {
    await q.addColumn('customers', 'merged_into_id', { type: DataTypes.INTEGER, allowNull: true });

    await q.createTable(
      'customer_contacts',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        name: { type: DataTypes.STRING(64), allowNull: false },
        title: { type: DataTypes.STRING(128), allowNull: true },
        phone: { type: DataTypes.STRING(32), allowNull: true },
        email: { type: DataTypes.STRING(256), allowNull: true },
        relation: { type: DataTypes.STRING(64), allowNull: true },
        notes: { type: DataTypes.TEXT, allowNull: true },
        // Equals customer_id on the primary contact and NULL elsewhere: the unique index below
        // makes "one primary per customer" a schema rule on SQLite and MySQL alike.
        primary_of_customer_id: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_contacts', ['customer_id'], { name: 'customer_contacts_customer' });
    await q.addIndex('customer_contacts', ['phone'], { name: 'customer_contacts_phone' });
    await q.addIndex('customer_contacts', ['primary_of_customer_id'], { unique: true, name: 'customer_contacts_one_primary' });

    await q.createTable(
      'follow_ups',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        ...followUpColumns,
      },
      tableOptions,
    );
    await q.addIndex('follow_ups', ['customer_id', 'followed_at'], { name: 'follow_ups_customer_time' });
    await q.addIndex('follow_ups', ['user_id', 'followed_at'], { name: 'follow_ups_user_time' });

    await q.createTable(
      'customer_stage_changes',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        from_stage: { type: DataTypes.STRING(32), allowNull: true },
        to_stage: { type: DataTypes.STRING(32), allowNull: false },
        changed_by: { type: DataTypes.INTEGER, allowNull: true },
        changed_at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_stage_changes', ['customer_id', 'changed_at'], { name: 'customer_stage_changes_customer' });

    await q.createTable(
      'customer_wecom_links',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        external_userid: { type: DataTypes.STRING(64), allowNull: false, unique: true },
        matched_by: { type: DataTypes.STRING(16), allowNull: false },
        linked_by: { type: DataTypes.INTEGER, allowNull: true },
        linked_at: { type: DataTypes.DATE, allowNull: false },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('customer_wecom_links', ['customer_id'], { name: 'customer_wecom_links_customer' });

    await q.createTable(
      'products',
      {
        ...id,
        code: { type: DataTypes.STRING(32), allowNull: false, unique: true },
        name: { type: DataTypes.STRING(128), allowNull: false },
        category: { type: DataTypes.STRING(32), allowNull: false },
        risk_level: { type: DataTypes.STRING(2), allowNull: false },
        status: { type: DataTypes.STRING(16), allowNull: false },
        issuer: { type: DataTypes.STRING(128), allowNull: true },
        description: { type: DataTypes.TEXT, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );

    await q.createTable(
      'holdings',
      {
        ...id,
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        product_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'products', key: 'id' } },
        amount_fen: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        cost_fen: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        shares_hundredths: { type: DataTypes.BIGINT, allowNull: false, defaultValue: 0 },
        status: { type: DataTypes.STRING(16), allowNull: false },
        first_bought_on: { type: DataTypes.DATEONLY, allowNull: true },
        last_changed_on: { type: DataTypes.DATEONLY, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('holdings', ['customer_id', 'product_id'], { unique: true, name: 'holdings_customer_product' });
    await q.addIndex('holdings', ['product_id', 'status'], { name: 'holdings_product' });

    await q.createTable(
      'holding_records',
      {
        ...id,
        holding_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'holdings', key: 'id' } },
        ...holdingRecordColumns,
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('holding_records', ['holding_id', 'traded_on'], { name: 'holding_records_holding' });

    await q.createTable(
      'consignment_partners',
      {
        ...id,
        name: { type: DataTypes.STRING(128), allowNull: false },
        type: { type: DataTypes.STRING(32), allowNull: false },
        status: { type: DataTypes.STRING(32), allowNull: false },
        credit_code: { type: DataTypes.STRING(18), allowNull: true },
        contact_name: { type: DataTypes.STRING(64), allowNull: true },
        contact_phone: { type: DataTypes.STRING(32), allowNull: true },
        address: { type: DataTypes.STRING(256), allowNull: true },
        agreement_signed_on: { type: DataTypes.DATEONLY, allowNull: true },
        info: { type: DataTypes.TEXT, allowNull: true },
        notes: { type: DataTypes.TEXT, allowNull: true },
        owner_user_id: { type: DataTypes.INTEGER, allowNull: false, references: userRef },
        department_id: { type: DataTypes.INTEGER, allowNull: false },
        last_follow_up_at: { type: DataTypes.DATE, allowNull: true },
        next_follow_up_at: { type: DataTypes.DATE, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('consignment_partners', ['name'], { name: 'consignment_partners_name' });
    await q.addIndex('consignment_partners', ['credit_code'], { unique: true, name: 'consignment_partners_credit_code' });
    await q.addIndex('consignment_partners', ['owner_user_id', 'deleted_at'], { name: 'consignment_partners_owner' });
    await q.addIndex('consignment_partners', ['department_id', 'deleted_at'], { name: 'consignment_partners_department' });

    await q.createTable(
      'partner_follow_ups',
      {
        ...id,
        partner_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'consignment_partners', key: 'id' } },
        ...followUpColumns,
      },
      tableOptions,
    );
    await q.addIndex('partner_follow_ups', ['partner_id', 'followed_at'], { name: 'partner_follow_ups_partner' });

    await q.createTable(
      'product_sales',
      {
        ...id,
        product_id: { type: DataTypes.INTEGER, allowNull: false, references: { model: 'products', key: 'id' } },
        customer_id: { type: DataTypes.INTEGER, allowNull: false, references: customerRef },
        rep_user_id: { type: DataTypes.INTEGER, allowNull: false, references: userRef },
        department_id: { type: DataTypes.INTEGER, allowNull: false },
        amount_fen: { type: DataTypes.BIGINT, allowNull: false },
        sold_on: { type: DataTypes.DATEONLY, allowNull: false },
        channel: { type: DataTypes.STRING(16), allowNull: false },
        partner_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'consignment_partners', key: 'id' } },
        notes: { type: DataTypes.STRING(512), allowNull: true },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        deleted_at: { type: DataTypes.DATE, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('product_sales', ['customer_id', 'sold_on'], { name: 'product_sales_customer' });
    await q.addIndex('product_sales', ['sold_on'], { name: 'product_sales_sold_on' });
    await q.addIndex('product_sales', ['rep_user_id', 'sold_on'], { name: 'product_sales_rep' });
    await q.addIndex('product_sales', ['department_id', 'sold_on'], { name: 'product_sales_department' });
    await q.addIndex('product_sales', ['partner_id'], { name: 'product_sales_partner' });

    await q.createTable(
      'targets',
      {
        ...id,
        period: { type: DataTypes.STRING(8), allowNull: false },
        scope_type: { type: DataTypes.STRING(16), allowNull: false },
        scope_id: { type: DataTypes.INTEGER, allowNull: false },
        metric: { type: DataTypes.STRING(32), allowNull: false },
        // Sales amounts in fen, counts as counts.
        value: { type: DataTypes.BIGINT, allowNull: false },
        created_by: { type: DataTypes.INTEGER, allowNull: true },
        ...timestamps,
      },
      tableOptions,
    );
    await q.addIndex('targets', ['period', 'scope_type', 'scope_id', 'metric'], { unique: true, name: 'targets_unique' });

    const now = new Date();
    await q.bulkInsert(
      'dictionaries',
      PRODUCT_CATEGORIES.map(([code, label], i) => ({
        type: 'product_category',
        code,
        label,
        sort_order: (i + 1) * 10,
        enabled: true,
        created_at: now,
        updated_at: now,
      })),
    );
  },
  async down({ queryInterface: q }) {
    await q.bulkDelete('dictionaries', { type: 'product_category' });
    for (const table of [
      'targets',
      'product_sales',
      'partner_follow_ups',
      'consignment_partners',
      'holding_records',
      'holdings',
      'products',
      'customer_wecom_links',
      'customer_stage_changes',
      'follow_ups',
      'customer_contacts',
    ]) {
      await q.dropTable(table);
    }
    await q.removeColumn('customers', 'merged_into_id');
  },
};
