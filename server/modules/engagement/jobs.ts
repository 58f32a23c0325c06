/**
 * Engagement's WeCom writes that follow a CRM change, as durable jobs (server/jobs):
 *
 * - `engagement.tag_new_contact`: a contact added through a 渠道活码 gets the code's tags
 *   (`mark_tag`, 92118), queued by the add event's hook.
 * - `customer.phone_changed` → the remark write-back (`externalcontact/remark`, 92115 / 96317):
 *   with the corp switch on, the customer's phone goes into the owner's follow relation's remark
 *   mobiles, so matching by mobile holds in WeCom too. WeCom replaces the whole list with what is
 *   sent (96317: 「如果填写了remark_mobiles,将会覆盖旧的备注手机号」), so the write-backs of one
 *   customer run one at a time in order (a serial key: two in parallel would each write their own
 *   list over the other's), each writes the customer's phone as the CRM holds it when the job runs
 *   (not the number from the time it was queued: the latest state wins), and every number the CRM
 *   wrote before (`crm_remark_mobiles`, per relation) and no longer holds comes out. WeCom reports
 *   no edit that changes only remark mobiles (96361), so the relation is read from WeCom right
 *   before it is written: a number the rep typed there themselves is kept.
 * - `customer.level_changed` → the WeCom tag group 「客户等级」 follows the CRM's 客户等级 (grade.ts);
 *   one customer's in order (a serial key), each with the level as it is when the job runs. Its
 *   calls are made for the person who set the level, on their budget (wecom/budget.ts): a rep
 *   changing the levels of a whole list cannot spend the corp's quota through the job either.
 *   Past their minute the job waits for the next one, without spending an attempt.
 */
// Raw SQL on other modules' tables, on purpose: the remark write-back's candidates are one join of
// customers, their links, their owners and the live relations (the pairs whose remark must change); the
// tagging job keeps its live-tag check in its run (an empty list must keep failing as it did).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { CorpSettings } from '@shared/settings';
import { sqlList, upsertRow } from '../../db/dialect';
import { enqueueJob, type JobHandler } from '../../jobs/jobs';
import type { Logger } from '../../logger';
import { actingFor, personOf } from '../../wecom/acting-person';
import { budgetWaitMs } from '../../wecom/budget';
import type { WecomClient } from '../../wecom/client';
import { isTransient } from '../../wecom/errors';
import { LEVEL_CHANGED_JOB, PHONE_CHANGED_JOB, type LevelChanged, type PhoneChanged } from '../customers/service';
import type { ExternalContactHooks } from '../wecom-mirror/hooks';
import { applyExternalContact } from '../wecom-mirror/service';
import { readSettings } from '../settings/service';
import { contactWayOf } from './contact-ways';
import { nextRemarkMobiles, sameMobiles } from './rules';
import { applyGradeTag } from './grade';
import { markContactTags } from './tags';
import { followRelation } from '../wecom-mirror/reads';

export const TAG_NEW_CONTACT_JOB = 'engagement.tag_new_contact';

interface TagNewContact {
  externalUserid: string;
  userid: string;
  tagIds: string[];
}

export interface EngagementJobDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  /** The person-facing client (each call charged to the person acted for), for work done for one person. */
  wecomForPeople: WecomClient;
  logger: Logger;
  settingDefaults: CorpSettings;
}

/**
 * How both jobs run: two at a time, retried with backoff while WeCom's error is transient, and
 * nothing in the CRM waits on either (each says why), so a dead one has nothing to put right and
 * its retry nothing to undo.
 */
const WECOM_WRITE = {
  concurrency: 2,
  leaseMs: 60_000,
  retry: { maxAttempts: 8, baseMs: 5_000, capMs: 600_000 },
  permanent: (err: unknown) => !isTransient(err),
  onDead: async () => {},
  onRetry: async () => {},
} satisfies Omit<JobHandler, 'kind' | 'label' | 'run'>;

/** The add event of a contact from a 渠道活码 queues its tags (the event's transaction commits them together). */
export function engagementHooks(sequelize: Sequelize): Partial<ExternalContactHooks> {
  return {
    async onExternalContactChanged(externalUserid: string, userid: string, change, transaction: Transaction) {
      if (change !== 'added') return;
      const relation = await followRelation(sequelize, externalUserid, userid, transaction);
      const way = await contactWayOf(sequelize, relation?.state ?? null, transaction);
      const tagIds = way ? (JSON.parse(way.tag_ids) as string[]) : [];
      if (!tagIds.length) return;
      await enqueueJob(
        sequelize,
        {
          kind: TAG_NEW_CONTACT_JOB,
          key: `tag-new-contact:${externalUserid}:${userid}`.slice(0, 128),
          payload: { externalUserid, userid, tagIds } satisfies TagNewContact,
        },
        transaction,
      );
    },
  };
}

export function engagementJobs(deps: EngagementJobDeps): JobHandler[] {
  const { sequelize, wecom } = deps;
  const tagNewContact: JobHandler<TagNewContact> = {
    kind: TAG_NEW_CONTACT_JOB,
    label: '为渠道活码新客户打标签',
    // Nothing in the CRM waits on it (the contact is there, untagged): the admin's job list shows it, and its retry tags.
    ...WECOM_WRITE,
    async run({ externalUserid, userid, tagIds }) {
      // Tags deleted since the code was made are left out rather than failing the rest.
      const live = (
        await sequelize.query<{ id: string }>(`SELECT id FROM wecom_corp_tags WHERE id IN (${sqlList(tagIds)}) AND deleted_at IS NULL`, {
          replacements: tagIds,
          type: QueryTypes.SELECT,
        })
      ).map((t) => t.id);
      if (live.length) await markContactTags(sequelize, wecom, externalUserid, userid, { add: live, remove: [] });
    },
  };
  const remarkWriteBack: JobHandler<PhoneChanged> = {
    kind: PHONE_CHANGED_JOB,
    label: '手机号回写企业微信备注',
    // Nothing in the CRM waits on it (the phone is saved): the next change of the customer's phone
    // writes the latest state anyway, and the admin's retry of the dead job writes it now.
    ...WECOM_WRITE,
    async run(change) {
      const settings = await readSettings(sequelize, deps.settingDefaults);
      if (settings.remarkWriteBack) await writeBackPhone(deps, change, settings.remarkWriteBackName);
    },
  };
  const gradeTag: JobHandler<LevelChanged> = {
    kind: LEVEL_CHANGED_JOB,
    label: '客户等级同步到企业微信标签',
    // Nothing in the CRM waits on it (the level is saved): the next change writes the latest level
    // anyway, and the admin's retry of the dead job writes it now.
    ...WECOM_WRITE,
    async run({ customerId, byUserId }) {
      if (byUserId === undefined) {
        await applyGradeTag(deps, customerId);
        return;
      }
      try {
        await actingFor(personOf(byUserId), () => applyGradeTag({ sequelize, wecom: deps.wecomForPeople }, customerId));
      } catch (err) {
        // The relations tagged before the refusal stay tagged; the next run reads what is left.
        const wait = budgetWaitMs(err);
        if (wait === undefined) throw err;
        return { runAgainAt: new Date(Date.now() + wait) };
      }
    },
  };
  return [tagNewContact, remarkWriteBack, gradeTag];
}

/** The owner's live relations to the customer's contacts, with the customer's current phone. */
async function ownerRelations(sequelize: Sequelize, customerId: number) {
  return sequelize.query<{ external_userid: string; userid: string; phone: string | null; name: string }>(
    `SELECT l.external_userid, r.userid, c.phone, c.name
       FROM customers c
       JOIN customer_wecom_links l ON l.customer_id = c.id
       JOIN users u ON u.id = c.owner_user_id
       JOIN wecom_follow_relations r ON r.external_userid = l.external_userid AND r.userid = u.wecom_userid AND r.deleted_at IS NULL
      WHERE c.id = ? AND c.deleted_at IS NULL`,
    { replacements: [customerId], type: QueryTypes.SELECT },
  );
}

async function writeBackPhone(deps: EngagementJobDeps, change: PhoneChanged, withName: boolean): Promise<void> {
  const { sequelize, wecom } = deps;
  for (const r of await ownerRelations(sequelize, change.customerId)) {
    if (!r.phone) continue;
    // The relation as WeCom has it now (a rep's mobile-only edit is never reported).
    const fetched = await wecom.getExternalContact(r.external_userid);
    const follow = fetched.follow_user.find((f) => f.userid === r.userid);
    if (!follow) continue;
    const current = follow.remark_mobiles ?? [];
    const next = nextRemarkMobiles(current, r.phone, [...(await crmRemarkMobiles(sequelize, r.external_userid, r.userid)), change.previous]);
    const remark = withName ? r.name.slice(0, 20) : undefined;
    const unchanged = sameMobiles(next, current) && (remark === undefined || remark === follow.remark);
    if (!unchanged) await wecom.remark({ userid: r.userid, external_userid: r.external_userid, remark_mobiles: next, ...(remark ? { remark } : {}) });
    const written = { ...follow, remark_mobiles: next, ...(remark ? { remark } : {}) };
    await sequelize.transaction(async (t) => {
      await applyExternalContact(
        sequelize,
        fetched.external_contact,
        fetched.follow_user.map((f) => (f.userid === r.userid ? written : f)),
        t,
      );
      await rememberCrmRemarkMobiles(sequelize, r.external_userid, r.userid, [r.phone!], t);
    });
  }
}

/** The remark mobiles the CRM last wrote into this relation (none: it never wrote any). */
async function crmRemarkMobiles(sequelize: Sequelize, externalUserid: string, userid: string): Promise<string[]> {
  const [row] = await sequelize.query<{ mobiles: string }>('SELECT mobiles FROM crm_remark_mobiles WHERE external_userid = ? AND userid = ?', {
    replacements: [externalUserid, userid],
    type: QueryTypes.SELECT,
  });
  return row ? (JSON.parse(row.mobiles) as string[]) : [];
}

async function rememberCrmRemarkMobiles(
  sequelize: Sequelize,
  externalUserid: string,
  userid: string,
  mobiles: string[],
  transaction: Transaction,
): Promise<void> {
  const now = new Date();
  await upsertRow(
    sequelize,
    'crm_remark_mobiles',
    { external_userid: externalUserid, userid, mobiles: JSON.stringify(mobiles), created_at: now, updated_at: now },
    ['external_userid', 'userid'],
    ['mobiles', 'updated_at'],
    { transaction },
  );
}
