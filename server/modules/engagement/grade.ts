/**
 * One customer grade (issue 36; decided in server/README.md: the CRM field drives the WeCom tag):
 * the CRM's 客户等级 (`customers.level`, dictionary `customer_level`) drives the corp tag group
 * 「客户等级」 (GRADE_TAG_GROUP, one of EXCLUSIVE_TAG_GROUPS). When a customer's level changes
 * (`customer.level_changed`, queued in the save's transaction), every live follow relation of its
 * linked contacts gets the group's tag that names the level and loses the group's other tags,
 * through `mark_tag` (markContactTags: developer.work.weixin.qq.com/document/path/92118, then the
 * mirror). A WeCom failure fails only the job (retried, then listed for the admin): the save never
 * waits on it. WeCom's edits of the group are only mirrored (nothing flows back into the level).
 */
// Raw SQL on other modules' tables, on purpose: the relations to tag are one read of the mirror's
// follow relations of the customer's contacts (as markCustomerTags reads them).
import { QueryTypes, type Sequelize } from 'sequelize';
import { EXCLUSIVE_TAG_GROUPS } from '@shared/engagement';
import { sqlList } from '../../db/dialect';
import type { WecomClient } from '../../wecom/client';
import { customerLevelOf } from '../customers/service';
import { listDictionaries } from '../dictionaries/service';
import { contactsOfCustomers } from '../matching/service';
import { markContactTags, tagsOfGroup, type TagChange } from './tags';

export const GRADE_TAG_GROUP = EXCLUSIVE_TAG_GROUPS[0]!;

/** A tag names a level when its name is the level's label, with or without 「客户」 after it (普通 ↔ 普通客户). */
const bare = (name: string) => name.trim().replace(/客户$/, '');

/**
 * What a relation holding `held` must change so that of the group's tags it holds exactly the one
 * naming `label` — none when no tag names it, or there is no level; null when nothing changes.
 */
export function gradeTagChange(label: string | null, group: readonly { id: string; name: string }[], held: readonly string[]): TagChange | null {
  const wanted = label ? group.find((t) => bare(t.name) === bare(label)) : undefined;
  const add = wanted && !held.includes(wanted.id) ? [wanted.id] : [];
  const remove = group.filter((t) => t.id !== wanted?.id && held.includes(t.id)).map((t) => t.id);
  return add.length || remove.length ? { add, remove } : null;
}

/** The customer's relations tagged with its level as it is now; how many changed. */
export async function applyGradeTag(deps: { sequelize: Sequelize; wecom: WecomClient }, customerId: number): Promise<number> {
  const { sequelize, wecom } = deps;
  const level = await customerLevelOf(sequelize, customerId);
  if (level === undefined) return 0; // gone (merged, deleted): nothing to follow
  const group = await tagsOfGroup(sequelize, GRADE_TAG_GROUP);
  if (!group.length) return 0;
  const contacts = (await contactsOfCustomers(sequelize, [customerId])).map((c) => c.externalUserid);
  if (!contacts.length) return 0;
  const label = level ? ((await listDictionaries(sequelize)).customer_level.find((v) => v.code === level)?.label ?? null) : null;
  const relations = await sequelize.query<{ external_userid: string; userid: string; tag_ids: string | null }>(
    `SELECT external_userid, userid, tag_ids FROM wecom_follow_relations WHERE external_userid IN (${sqlList(contacts)}) AND deleted_at IS NULL ORDER BY id`,
    { replacements: contacts, type: QueryTypes.SELECT },
  );
  let changed = 0;
  for (const r of relations) {
    const change = gradeTagChange(label, group, JSON.parse(r.tag_ids ?? '[]') as string[]);
    if (!change) continue;
    await markContactTags(sequelize, wecom, r.external_userid, r.userid, change);
    changed++;
  }
  return changed;
}
