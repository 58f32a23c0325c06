/**
 * The sidebar card's reads, few and wide: every card answers many requests a minute, so what one
 * card needs comes in one statement (the contact, the caller's relation to it, its link, the
 * customer with its owner's name, the 活码 channel, whether a transfer exists, the relation's tags
 * and the customer's holdings), then a full card's latest follow-ups. Each part is an index
 * range or a primary-key read (issue 37). Nothing is cached: each card reads the database as it stands.
 */
// Raw SQL on other modules' tables, on purpose: the sidebar card is the hot path (README#performance): its
// head is one statement over the customer, the link, the mirror, the owner, settings, the open transfer, the
// relation's tags and the holdings; the follow-ups one more.
import { QueryTypes, type Sequelize } from 'sequelize';
import type { z } from 'zod';
import type { FollowUpView } from '@shared/customers';
import { fromHundredths } from '@shared/money';
import { businessDate } from '@shared/time';
import { corpSettingsSchema } from '@shared/settings';
import type { SidebarCustomer } from '@shared/sidebar';
import { customerModels, type CustomerRow } from '../customers/models';
import { customerViewOf } from '../customers/service';
import { followUpViewOf } from '../follow-ups/service';
import type { FollowRelation } from '../matching/follows';
import type { LinkColumns } from '../matching/service';
import { marketValueFenSql } from '../products/service';
import { RELATION_FIELDS } from '../wecom-mirror/service';

export interface CardHead extends LinkColumns {
  name: string;
  avatar: string | null;
  type: number;
  unionid: string | null;
  corp_name: string | null;
  corp_full_name: string | null;
  /** The caller's relation to the contact (live or ended), null when they do not follow it. */
  relation: FollowRelation | null;
  /** The live corp tags of that relation, in the corp's order. */
  tags: { id: string; name: string }[];
  /** The linked customer's holdings (status holding), largest market value first; the caller decides who sees them. */
  holdings: CardHolding[];
  /** The 活码 the caller's relation came through, by its `state`. */
  channel: string | null;
  hasTransfer: boolean;
  /** The linked customer is in 公海 (a live pool entry): the card asks for its place then, and only then. */
  inPool: boolean;
  /** The linked customer (deleted ones too: the caller decides), and its owner's name. */
  customer: CustomerRow | null;
  ownerName: string;
  /**
   * The corp's 协同跟进 setting as stored, read with the head (a limited card needs it, and it is
   * one row by key); undefined when not stored or malformed, i.e. the default applies.
   */
  coFollowerFollowUps: boolean | undefined;
}

const RELATION_COLUMNS = ['userid', ...RELATION_FIELDS, 'added_at', 'deleted_at', 'delete_reason'];

/** The customer's columns as the model knows them, and which of them are timestamps. */
function customerColumns(sequelize: Sequelize): { names: string[]; dates: Set<string> } {
  const attributes = customerModels(sequelize).Customer.getAttributes() as Record<string, { field?: string; type: { key?: string } }>;
  // createdAt / updatedAt are the timestamps' aliases of created_at / updated_at.
  const names = Object.keys(attributes).filter((n) => (attributes[n]!.field ?? n) === n);
  return { names, dates: new Set(names.filter((n) => attributes[n]!.type.key === 'DATE')) };
}

/** A JSON array of JSON arrays, one per row of a correlated subquery: MySQL 8 / MariaDB 10.5+ and SQLite. */
function jsonRowsSql(sequelize: Sequelize, values: string[]): string {
  return sequelize.getDialect() === 'sqlite' ? `json_group_array(json_array(${values.join(', ')}))` : `JSON_ARRAYAGG(JSON_ARRAY(${values.join(', ')}))`;
}

/** What jsonRowsSql gave: text on MariaDB and SQLite, already parsed on MySQL 8 (a JSON column); [] for none. */
function jsonRows(value: unknown): unknown[][] {
  if (value === null || value === undefined) return [];
  return (typeof value === 'string' ? JSON.parse(value) : value) as unknown[][];
}

/** The head's statement and the customer columns it reads: built once per Sequelize instance. */
const headStatements = new WeakMap<Sequelize, { sql: string; customer: { names: string[]; dates: Set<string> } }>();

function headStatement(sequelize: Sequelize): { sql: string; customer: { names: string[]; dates: Set<string> } } {
  let statement = headStatements.get(sequelize);
  if (!statement) {
    const customer = customerColumns(sequelize);
    // The relation's tags and the linked customer's holdings ride on the head's one row as JSON
    // subqueries, each an index range (wecom_follow_relation_tags by its key, holdings by
    // customer) with a primary-key join: no unnesting, no sort of the wide head row, no temporary
    // table (issue 37). Their order is put in by readCardHead. The holdings are read for a card
    // that ends up limited too: a few index rows, cheaper than a statement of their own.
    const sql = `SELECT x.name, x.avatar, x.type, x.unionid, x.corp_name, x.corp_full_name, l.customer_id, l.matched_by, l.linked_at,
              ${RELATION_COLUMNS.map((c) => `r.${c} AS r_${c}`).join(', ')},
              (SELECT ${jsonRowsSql(sequelize, ['t.id', 't.name', 't.sort_order'])}
                 FROM wecom_follow_relation_tags rt JOIN wecom_corp_tags t ON t.id = rt.tag_id AND t.deleted_at IS NULL
                WHERE rt.external_userid = r.external_userid AND rt.userid = r.userid) AS tags,
              (SELECT ${jsonRowsSql(sequelize, ['h.id', 'h.product_id', 'p.name', 'p.category', marketValueFenSql('h'), 'h.cost_fen'])}
                 FROM holdings h JOIN products p ON p.id = h.product_id
                WHERE h.customer_id = l.customer_id AND h.status = 'holding') AS holdings,
              w.name AS channel, o.name AS owner_name,
              (SELECT MAX(ct.id) FROM customer_transfers ct WHERE ct.external_userid = x.external_userid) AS transfer_id,
              (SELECT cs.value FROM corp_settings cs WHERE cs.name = 'coFollowerFollowUps') AS co_follower_follow_ups,
              (SELECT pe.id FROM customer_pool_entries pe WHERE pe.live_customer_id = l.customer_id) AS pool_entry_id,
              ${customer.names.map((c) => `c.${c} AS c_${c}`).join(', ')}
         FROM wecom_external_contacts x
         LEFT JOIN wecom_follow_relations r ON r.external_userid = x.external_userid AND r.userid = ?
         LEFT JOIN contact_ways w ON w.state = r.state
         LEFT JOIN customer_wecom_links l ON l.external_userid = x.external_userid
         LEFT JOIN customers c ON c.id = l.customer_id
         LEFT JOIN users o ON o.id = c.owner_user_id
        WHERE x.external_userid = ?`;
    statement = { sql, customer };
    headStatements.set(sequelize, statement);
  }
  return statement;
}

/** A holding as the head carries it, before the card's view of it. */
export interface CardHolding {
  id: number;
  productId: number;
  productName: string;
  category: string;
  amountFen: number;
  costFen: number;
}

/**
 * The relation's live corp tags in the corp's order: `sort_order` descending, then the id by code
 * point — one rule on both databases (an ORDER BY t.id compared ids under the MySQL collation,
 * case-insensitively, and by bytes on SQLite).
 */
function tagsInOrder(rows: unknown[][]): { id: string; name: string }[] {
  const tags = new Map(rows.map(([id, name, order]) => [String(id), { id: String(id), name: String(name), order: Number(order) }]));
  return [...tags.values()].sort((a, b) => b.order - a.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(({ id, name }) => ({ id, name }));
}

/** The holdings by market value, largest first, then by id: the card's order. */
function holdingsInOrder(rows: unknown[][]): CardHolding[] {
  return rows
    .map(([id, productId, productName, category, amountFen, costFen]) => ({
      id: Number(id),
      productId: Number(productId),
      productName: String(productName),
      category: String(category),
      amountFen: Number(amountFen),
      costFen: Number(costFen),
    }))
    .sort((a, b) => b.amountFen - a.amountFen || a.id - b.id);
}

/**
 * Everything the card needs before deciding who may see what, in one statement (a row per tag of
 * the caller's relation); undefined when the mirror lacks the contact.
 */
export async function readCardHead(sequelize: Sequelize, wecomUserid: string, externalUserid: string): Promise<CardHead | undefined> {
  const { sql, customer } = headStatement(sequelize);
  const [row] = await sequelize.query<Record<string, unknown>>(sql, {
    // The holdings' market value is at today's NAV (marketValueFenSql's one parameter).
    replacements: [businessDate(new Date()), wecomUserid, externalUserid],
    type: QueryTypes.SELECT,
  });
  if (!row) return undefined;
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date));
  return {
    name: row.name as string,
    avatar: row.avatar as string | null,
    type: Number(row.type),
    unionid: row.unionid as string | null,
    corp_name: row.corp_name as string | null,
    corp_full_name: row.corp_full_name as string | null,
    customer_id: row.customer_id === null ? null : Number(row.customer_id),
    matched_by: row.matched_by as LinkColumns['matched_by'],
    linked_at: row.linked_at as LinkColumns['linked_at'],
    relation:
      row.r_userid === null
        ? null
        : {
            userid: row.r_userid as string,
            remark: row.r_remark as string | null,
            description: row.r_description as string | null,
            remarkCorpName: row.r_remark_corp_name as string | null,
            remarkMobiles: JSON.parse((row.r_remark_mobiles as string | null) ?? '[]') as string[],
            tagIds: JSON.parse((row.r_tag_ids as string | null) ?? '[]') as string[],
            addWay: row.r_add_way === null ? null : Number(row.r_add_way),
            state: row.r_state as string | null,
            addedAt: date(row.r_added_at),
            deletedAt: date(row.r_deleted_at),
            deleteReason: row.r_delete_reason as string | null,
          },
    tags: tagsInOrder(jsonRows(row.tags)),
    holdings: holdingsInOrder(jsonRows(row.holdings)),
    channel: row.channel as string | null,
    hasTransfer: row.transfer_id !== null,
    inPool: row.pool_entry_id !== null && row.pool_entry_id !== undefined,
    customer:
      row.c_id === null
        ? null
        : (Object.fromEntries(customer.names.map((c) => [c, customer.dates.has(c) ? date(row[`c_${c}`]) : row[`c_${c}`]])) as unknown as CustomerRow),
    ownerName: (row.owner_name as string | null) ?? '',
    coFollowerFollowUps: storedSetting(corpSettingsSchema.shape.coFollowerFollowUps, row.co_follower_follow_ups),
  };
}

/** A corp setting's stored JSON value read as settings/service.ts readSettings does; undefined when absent or malformed. */
function storedSetting<T>(schema: z.ZodType<T>, value: unknown): T | undefined {
  if (typeof value !== 'string') return undefined;
  const parsed = schema.safeParse(JSON.parse(value));
  return parsed.success ? parsed.data : undefined;
}

/**
 * The full card of a customer in the caller's scope: the profile as GET /api/customers/:id gives it
 * (customerViews), its holdings (read with the head) and latest follow-ups (followUpViews), with the names joined in.
 */
export async function fullCustomerCard(
  sequelize: Sequelize,
  customer: CustomerRow,
  ownerName: string,
  holdings: CardHolding[],
  latest: number,
): Promise<SidebarCustomer> {
  // The newest live follow-ups: a backward range of follow_ups_customer_time (customer_id,
  // followed_at, and the primary key InnoDB and SQLite append), read in its order and stopped
  // after `latest` live rows — no sort, no temporary table (EXPLAIN on MariaDB); the author's
  // name by primary key. An index with deleted_at after customer_id (tried as 0040) went unused:
  // the optimizer keeps the shorter one.
  const followUps = await sequelize.query<{
    id: number;
    user_id: number;
    author: string | null;
    channel: string;
    content: string;
    outcome: string | null;
    next_action: string | null;
    followed_at: Date | string;
    next_follow_up_at: Date | string | null;
    created_at: Date | string;
  }>(
    `SELECT f.id, f.user_id, u.name AS author, f.channel, f.content, f.outcome, f.next_action, f.followed_at, f.next_follow_up_at, f.created_at
       FROM follow_ups f LEFT JOIN users u ON u.id = f.user_id
      WHERE f.customer_id = ? AND f.deleted_at IS NULL
      ORDER BY f.followed_at DESC, f.id DESC LIMIT ?`,
    { replacements: [customer.id, latest], type: QueryTypes.SELECT },
  );
  const r = customer;
  return {
    access: 'full',
    profile: customerViewOf(r, { id: r.owner_user_id, name: ownerName }),
    holdings: holdings.map((h) => ({
      productId: h.productId,
      productName: h.productName,
      category: h.category,
      amount: fromHundredths(h.amountFen),
      cost: fromHundredths(h.costFen),
    })),
    holdingsTotal: fromHundredths(holdings.reduce((sum, h) => sum + h.amountFen, 0)),
    latestFollowUps: followUps.map((f): FollowUpView => ({
      ...followUpViewOf(
        {
          id: Number(f.id),
          followed_at: f.followed_at,
          channel: f.channel,
          content: f.content,
          outcome: f.outcome,
          next_action: f.next_action,
          next_follow_up_at: f.next_follow_up_at,
          created_at: f.created_at,
        },
        { id: Number(f.user_id), name: f.author ?? '' },
      ),
      customerId: r.id,
    })),
  };
}
