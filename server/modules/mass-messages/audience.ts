/**
 * A 客户群发's audience (server/README.md#客户群发): the customers the customer list's filter finds in
 * the creator's scope, and for each either who sends to them or why they are left out —
 * 不接收营销信息; for a message about a product, a risk level that does not cover it (the ledger's
 * rule, shared/suitability.ts: a missing or expired assessment, a level below the product's);
 * for a product sold only to 合格投资者 (仅限合格投资者, shared/qualification-rules.ts, the rule
 * writeTrade applies to every buy), no qualification holding today; no live WeCom relation. Each customer is reached once, by the rep who follows them in WeCom:
 * the owner when they follow, else the first follower (several reps following → still once).
 */
// Raw SQL on matching's and the mirror's tables, on purpose: one statement for the followers of a whole audience.
import { Op, QueryTypes, type Sequelize } from 'sequelize';
import type { CustomerFilter } from '@shared/customers';
import type { ExclusionReason, GroupAudience } from '@shared/mass-messages';
import { qualificationHolds } from '@shared/qualification';
import { checkSuitability } from '@shared/suitability';
import { businessDate } from '@shared/time';
import { inSlices } from '../../db/dialect';
import { customerModels, type CustomerRow } from '../customers/models';
import { customerFilterWhere, qualificationOf, riskProfileOf } from '../customers/service';
import type { ProductRow } from '../products/models';
import type { Access } from '../roles/access';

export interface Sender {
  userId: number;
  userid: string;
  name: string;
}

export interface Included {
  customer: CustomerRow;
  externalUserid: string;
  sender: Sender;
}

export interface Excluded {
  customer: CustomerRow;
  reason: ExclusionReason;
  detail: string | null;
}

export interface Audience {
  matched: number;
  included: Included[];
  excluded: Excluded[];
}

interface FollowerRow {
  customer_id: number;
  external_userid: string;
  userid: string;
  user_id: number;
  name: string;
}

export async function resolveAudience(
  sequelize: Sequelize,
  access: Access,
  filter: CustomerFilter,
  product: ProductRow | null,
  now = new Date(),
): Promise<Audience> {
  const where = await customerFilterWhere(sequelize, access, filter, now);
  const customers = (await customerModels(sequelize).Customer.findAll({ where: { [Op.and]: where }, order: [['id', 'ASC']] })).map((r) => r.get());
  const followers = new Map<number, FollowerRow[]>();
  await inSlices(
    customers.map((c) => c.id),
    async (ids) => {
      const rows = await sequelize.query<FollowerRow>(
        `SELECT l.customer_id, l.external_userid, r.userid, u.id AS user_id, u.name
           FROM customer_wecom_links l
           JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.deleted_at IS NULL
           JOIN users u ON u.wecom_userid = r.userid AND u.status = 'active'
          WHERE l.customer_id IN (:ids)
          ORDER BY l.customer_id, u.id`,
        { replacements: { ids }, type: QueryTypes.SELECT },
      );
      for (const r of rows) followers.set(Number(r.customer_id), [...(followers.get(Number(r.customer_id)) ?? []), r]);
      return [];
    },
    1000,
  );
  const today = businessDate(now);
  const included: Included[] = [];
  const excluded: Excluded[] = [];
  for (const customer of customers) {
    if (customer.marketing_opt_out) {
      excluded.push({ customer, reason: 'opted_out', detail: null });
      continue;
    }
    if (product) {
      const verdict = checkSuitability(riskProfileOf(customer), product.risk_level, today);
      if (!verdict.ok) {
        const reason: ExclusionReason = verdict.problem === 'level' ? 'risk_level' : verdict.problem === 'expired_assessment' ? 'risk_expired' : 'risk_missing';
        const detail = verdict.problem === 'level' ? `客户 ${verdict.customerLevel ?? '未测评'}，产品 ${product.risk_level}` : verdict.message;
        excluded.push({ customer, reason, detail });
        continue;
      }
      const qualification = qualificationOf(customer);
      if (product.qualified_only && !qualificationHolds(qualification, today)) {
        const lapsed = qualification.basis !== null && qualification.validUntil !== null && qualification.validUntil < today;
        const detail = lapsed ? `合格投资者认定已于 ${qualification.validUntil} 过期` : '没有有效的合格投资者认定';
        excluded.push({ customer, reason: 'not_qualified', detail });
        continue;
      }
    }
    const candidates = followers.get(customer.id) ?? [];
    const pick = candidates.find((f) => Number(f.user_id) === customer.owner_user_id) ?? candidates[0];
    if (!pick) {
      excluded.push({ customer, reason: 'no_wecom', detail: null });
      continue;
    }
    included.push({ customer, externalUserid: pick.external_userid, sender: { userId: Number(pick.user_id), userid: pick.userid, name: pick.name } });
  }
  return { matched: customers.length, included, excluded };
}

export interface IncludedGroup {
  chatId: string;
  name: string;
  memberCount: number;
  sender: Sender;
}

export interface GroupAudienceResult {
  matched: number;
  included: IncludedGroup[];
  excluded: { chatId: string; name: string; memberCount: number; reason: ExclusionReason }[];
}

interface GroupChatRow {
  chat_id: string;
  name: string | null;
  member_count: number | string;
  owner: string | null;
  user_id: number | null;
  user_name: string | null;
  department_id: number | null;
  status: string | null;
}

/**
 * 客户群 of a group message: the live groups of the group-chat mirror (wecom_group_chats) whose
 * owner is in the creator's scope, narrowed by owner, department or name. The owner sends to their
 * groups (92135: for chat_type group the sender is required and only the sender's groups are
 * taken); a group whose owner is no active member of the CRM is left out (nobody could confirm it).
 */
export async function resolveGroupAudience(sequelize: Sequelize, access: Access, filter: GroupAudience): Promise<GroupAudienceResult> {
  const rows = await sequelize.query<GroupChatRow>(
    `SELECT g.chat_id, g.name, g.member_count, g.owner, u.id AS user_id, u.name AS user_name, u.main_department_id AS department_id, u.status
       FROM wecom_group_chats g LEFT JOIN users u ON u.wecom_userid = g.owner
      WHERE g.dismissed_at IS NULL
      ORDER BY g.chat_id`,
    { type: QueryTypes.SELECT },
  );
  const inScope = (r: GroupChatRow) =>
    access.dataScope === 'all' ||
    Number(r.user_id) === access.userId ||
    (access.dataScope !== 'self' && r.department_id !== null && access.scopeDepartmentIds.includes(Number(r.department_id)));
  const keyword = filter.name?.trim();
  const matched = rows.filter(
    (r) =>
      inScope(r) &&
      (!filter.ownerUserId || Number(r.user_id) === filter.ownerUserId) &&
      (!filter.departmentId || Number(r.department_id) === filter.departmentId) &&
      (!keyword || (r.name ?? '').includes(keyword)),
  );
  const included: IncludedGroup[] = [];
  const excluded: GroupAudienceResult['excluded'] = [];
  for (const r of matched) {
    const group = { chatId: r.chat_id, name: r.name || '未命名客户群', memberCount: Number(r.member_count) };
    if (r.user_id === null || r.status !== 'active' || !r.owner) excluded.push({ ...group, reason: 'no_owner' });
    else included.push({ ...group, sender: { userId: Number(r.user_id), userid: r.owner, name: r.user_name ?? '' } });
  }
  return { matched: matched.length, included, excluded };
}
