/**
 * "Does this employee follow this external contact?" — the check behind every sidebar read and
 * link change: an external_userid from the client is never trusted alone. The mirror answers;
 * when it does not know the pair, the contact is read from WeCom (the callback may not have
 * arrived yet) through the ContactReader — one read shared by concurrent requests, an unknown id
 * remembered for every instance — and a pair already asked about is not asked again for a minute,
 * so a bad id cannot make us call WeCom in a loop.
 */
// Raw SQL on other modules' tables, on purpose: matching reads the mirror's contact and relations of the
// contact it links, in the hook's transaction.
import { QueryTypes, type Sequelize } from 'sequelize';
import { forbidden, notFound } from '../../errors';
import type { ContactReader } from '../wecom-mirror/contact-reader';

export interface FollowRelation {
  userid: string;
  remark: string | null;
  description: string | null;
  remarkCorpName: string | null;
  remarkMobiles: string[];
  tagIds: string[];
  addWay: number | null;
  state: string | null;
  addedAt: Date | null;
  deletedAt: Date | null;
  deleteReason: string | null;
}

/** A known contact the employee does not follow by WeCom's last answer: not asked again for this long. */
const NOT_FOLLOWING_MS = 60_000;

export class FollowChecker {
  /** Pairs WeCom was asked about, until when the answer holds (per instance; the pair is rarely asked twice). */
  private readonly asked = new Map<string, number>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly reader: ContactReader,
    private readonly now: () => number = Date.now,
  ) {}

  /** The relation of `userid` to the contact (live or ended); 404 if WeCom does not know the contact, 403 if not a follower. */
  async require(userid: string, externalUserid: string): Promise<FollowRelation> {
    const relation = await this.find(userid, externalUserid);
    if (!relation) throw forbidden('你不是该客户的跟进人，不能查看');
    return relation;
  }

  /** The relation of `userid` to the contact, or null when they do not follow it; 404 if WeCom does not know the contact. */
  async find(userid: string, externalUserid: string): Promise<FollowRelation | null> {
    const known = await this.read(userid, externalUserid);
    if (known) return known;
    const pair = `${userid}|${externalUserid}`;
    const askedUntil = this.asked.get(pair);
    if (askedUntil === undefined || askedUntil < this.now()) {
      const exists = await this.reader.refresh(externalUserid);
      if (!exists) throw notFound('没有这个企业微信联系人');
      const found = await this.read(userid, externalUserid);
      if (found) return found;
      if (this.asked.size > 10_000) this.asked.clear();
      this.asked.set(pair, this.now() + NOT_FOLLOWING_MS);
      return null;
    }
    const [contact] = await this.sequelize.query('SELECT 1 AS x FROM wecom_external_contacts WHERE external_userid = ?', {
      replacements: [externalUserid],
      type: QueryTypes.SELECT,
    });
    if (!contact) throw notFound('没有这个企业微信联系人');
    return null;
  }

  private async read(userid: string, externalUserid: string): Promise<FollowRelation | null> {
    const [r] = await this.sequelize.query<{
      userid: string;
      remark: string | null;
      description: string | null;
      remark_corp_name: string | null;
      remark_mobiles: string | null;
      tag_ids: string | null;
      add_way: number | null;
      state: string | null;
      added_at: Date | string | null;
      deleted_at: Date | string | null;
      delete_reason: string | null;
    }>(
      'SELECT userid, remark, description, remark_corp_name, remark_mobiles, tag_ids, add_way, state, added_at, deleted_at, delete_reason FROM wecom_follow_relations WHERE external_userid = ? AND userid = ?',
      { replacements: [externalUserid, userid], type: QueryTypes.SELECT },
    );
    if (!r) return null;
    return {
      userid: r.userid,
      remark: r.remark,
      description: r.description,
      remarkCorpName: r.remark_corp_name,
      remarkMobiles: JSON.parse(r.remark_mobiles ?? '[]') as string[],
      tagIds: JSON.parse(r.tag_ids ?? '[]') as string[],
      addWay: r.add_way === null ? null : Number(r.add_way),
      state: r.state,
      addedAt: r.added_at ? new Date(r.added_at) : null,
      deletedAt: r.deleted_at ? new Date(r.deleted_at) : null,
      deleteReason: r.delete_reason,
    };
  }

  /**
   * Reads the contact from WeCom into the mirror (one read shared by concurrent requests); false
   * when WeCom does not know it. WeCom sends no callback when a rep changes only a remark mobile
   * (96361), so an unlinked contact is read again before matching on demand.
   */
  refresh(externalUserid: string): Promise<boolean> {
    return this.reader.refresh(externalUserid);
  }
}
