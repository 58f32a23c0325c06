/**
 * The sidebar card's reads, few and wide: every card answers many requests a minute, so what one
 * card needs comes in one statement (the contact, the caller's relation to it, its link, the
 * customer with its owner's name, the 活码 channel, whether a transfer exists), then the
 * customer's lists side by side. Nothing is cached: each card reads the database as it stands.
 */
// Raw SQL on other modules' tables, on purpose: the sidebar card is the hot path (README#performance): its
// head is one statement over the customer, the link, the mirror, the owner, settings and the open transfer,
// its lists one each.
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

/**
 * The relation's tags as rows beside the head: its `tag_ids` (a JSON array) unnested, each joined
 * to the corp tag by primary key. MySQL 8 / MariaDB 10.6+ have JSON_TABLE, SQLite json_each.
 */
function relationTagsJoin(sequelize: Sequelize): string {
  return sequelize.getDialect() === 'sqlite'
    ? 'LEFT JOIN json_each(r.tag_ids) j LEFT JOIN wecom_corp_tags t ON t.id = j.value AND t.deleted_at IS NULL'
    : "LEFT JOIN JSON_TABLE(r.tag_ids, '$[*]' COLUMNS (tag_id VARCHAR(64) PATH '$')) j ON TRUE LEFT JOIN wecom_corp_tags t ON t.id = j.tag_id AND t.deleted_at IS NULL";
}

/** The head's statement and the customer columns it reads: built once per Sequelize instance. */
const headStatements = new WeakMap<Sequelize, { sql: string; customer: { names: string[]; dates: Set<string> } }>();

function headStatement(sequelize: Sequelize): { sql: string; customer: { names: string[]; dates: Set<string> } } {
  let statement = headStatements.get(sequelize);
  if (!statement) {
    const customer = customerColumns(sequelize);
    const sql = `SELECT x.name, x.avatar, x.type, x.unionid, x.corp_name, x.corp_full_name, l.customer_id, l.matched_by, l.linked_at,
              ${RELATION_COLUMNS.map((c) => `r.${c} AS r_${c}`).join(', ')},
              t.id AS tag_id, t.name AS tag_name, w.name AS channel, o.name AS owner_name,
              (SELECT MAX(ct.id) FROM customer_transfers ct WHERE ct.external_userid = x.external_userid) AS transfer_id,
              (SELECT cs.value FROM corp_settings cs WHERE cs.name = 'coFollowerFollowUps') AS co_follower_follow_ups,
              (SELECT pe.id FROM customer_pool_entries pe WHERE pe.live_customer_id = l.customer_id) AS pool_entry_id,
              ${customer.names.map((c) => `c.${c} AS c_${c}`).join(', ')}
         FROM wecom_external_contacts x
         LEFT JOIN wecom_follow_relations r ON r.external_userid = x.external_userid AND r.userid = ?
         ${relationTagsJoin(sequelize)}
         LEFT JOIN contact_ways w ON w.state = r.state
         LEFT JOIN customer_wecom_links l ON l.external_userid = x.external_userid
         LEFT JOIN customers c ON c.id = l.customer_id
         LEFT JOIN users o ON o.id = c.owner_user_id
        WHERE x.external_userid = ?
        ORDER BY t.sort_order DESC, t.id`;
    statement = { sql, customer };
    headStatements.set(sequelize, statement);
  }
  return statement;
}

/**
 * Everything the card needs before deciding who may see what, in one statement (a row per tag of
 * the caller's relation); undefined when the mirror lacks the contact.
 */
export async function readCardHead(sequelize: Sequelize, wecomUserid: string, externalUserid: string): Promise<CardHead | undefined> {
  const { sql, customer } = headStatement(sequelize);
  const rows = await sequelize.query<Record<string, unknown>>(sql, {
    replacements: [wecomUserid, externalUserid],
    type: QueryTypes.SELECT,
  });
  const row = rows[0];
  if (!row) return undefined;
  const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string | Date));
  const tags = new Map(rows.filter((r) => r.tag_id !== null).map((r) => [r.tag_id as string, r.tag_name as string]));
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
    tags: [...tags].map(([id, name]) => ({ id, name })),
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
 * (customerViews), its holdings and latest follow-ups (followUpViews), with the names joined in.
 */
export async function fullCustomerCard(sequelize: Sequelize, customer: CustomerRow, ownerName: string, latest: number): Promise<SidebarCustomer> {
  // Both lists in one statement, each row tagged with its kind. `seq` orders within a kind:
  // holdings by amount then id, follow-ups newest first (-id breaks a tie of followed_at).
  const rows = await sequelize.query<{
    kind: 'holding' | 'follow_up';
    seq: number;
    ref_id: number;
    name: string | null;
    label: string;
    content: string | null;
    outcome: string | null;
    next_action: string | null;
    amount_fen: number | string | null;
    cost_fen: number | string | null;
    followed_at: Date | string | null;
    next_follow_up_at: Date | string | null;
    created_at: Date | string | null;
  }>(
    `SELECT 'holding' AS kind, h.id AS seq, h.product_id AS ref_id, p.name AS name, p.category AS label, NULL AS content, NULL AS outcome,
            NULL AS next_action, ${marketValueFenSql('h')} AS amount_fen, h.cost_fen AS cost_fen, NULL AS followed_at, NULL AS next_follow_up_at, NULL AS created_at
       FROM holdings h JOIN products p ON p.id = h.product_id
      WHERE h.customer_id = ? AND h.status = 'holding'
     UNION ALL
     SELECT 'follow_up', -f.id, f.user_id, u.name, f.channel, f.content, f.outcome, f.next_action, NULL, NULL, f.followed_at, f.next_follow_up_at, f.created_at
       FROM (SELECT * FROM follow_ups WHERE customer_id = ? AND deleted_at IS NULL ORDER BY followed_at DESC, id DESC LIMIT ?) f
       LEFT JOIN users u ON u.id = f.user_id
     ORDER BY kind, amount_fen DESC, followed_at DESC, seq`,
    { replacements: [businessDate(new Date()), customer.id, customer.id, latest], type: QueryTypes.SELECT },
  );
  const holdings = rows.filter((h) => h.kind === 'holding');
  const followUps = rows.filter((f) => f.kind === 'follow_up');
  const r = customer;
  return {
    access: 'full',
    profile: customerViewOf(r, { id: r.owner_user_id, name: ownerName }),
    holdings: holdings.map((h) => ({
      productId: Number(h.ref_id),
      productName: h.name!,
      category: h.label,
      amount: fromHundredths(h.amount_fen!),
      cost: fromHundredths(h.cost_fen!),
    })),
    holdingsTotal: fromHundredths(holdings.reduce((sum, h) => sum + Number(h.amount_fen), 0)),
    latestFollowUps: followUps.map((f): FollowUpView => ({
      ...followUpViewOf(
        {
          id: -Number(f.seq),
          followed_at: f.followed_at!,
          channel: f.label,
          content: f.content!,
          outcome: f.outcome,
          next_action: f.next_action,
          next_follow_up_at: f.next_follow_up_at,
          created_at: f.created_at!,
        },
        { id: Number(f.ref_id), name: f.name ?? '' },
      ),
      customerId: r.id,
    })),
  };
}
