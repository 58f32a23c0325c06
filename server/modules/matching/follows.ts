/**
 * "Does this employee follow this external contact?" — the check behind every sidebar read and
 * link change: an external_userid from the client is never trusted alone. The mirror answers;
 * when it does not know the pair, one `externalcontact/get` refreshes it (the callback may not
 * have arrived yet), and a negative answer is remembered briefly so a bad id cannot make us call
 * WeCom in a loop.
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import { forbidden, notFound } from '../../errors';
import { applyExternalContact } from '../wecom-mirror/service';

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

const NEGATIVE_TTL_MS = 60_000;

export class FollowChecker {
  private readonly unknown = new Map<string, number>();

  constructor(
    private readonly sequelize: Sequelize,
    private readonly wecom: WecomClient,
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
    const key = `${userid}|${externalUserid}`;
    const until = this.unknown.get(key);
    if (until === undefined || until < this.now()) {
      if (this.unknown.size > 10_000) this.unknown.clear();
      this.unknown.set(key, this.now() + NEGATIVE_TTL_MS);
      const refreshed = await this.refresh(externalUserid);
      if (refreshed) {
        const found = await this.read(userid, externalUserid);
        if (found) {
          this.unknown.delete(key);
          return found;
        }
      }
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
   * Reads the contact from WeCom into the mirror. WeCom sends no callback when a rep changes only a
   * remark mobile (96361), so an unlinked contact is read again before matching on demand.
   */
  async refresh(externalUserid: string): Promise<boolean> {
    try {
      const fetched = await this.wecom.getExternalContact(externalUserid);
      await this.sequelize.transaction((t) => applyExternalContact(this.sequelize, fetched.external_contact, fetched.follow_user, t));
      return true;
    } catch (err) {
      if (err instanceof WecomApiError && err.gone) return false;
      throw err;
    }
  }
}
