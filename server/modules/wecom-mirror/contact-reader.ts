/**
 * Reads one external contact from WeCom into the mirror for a person's request (the sidebar card
 * of a contact the mirror does not know yet, 话术 / tags on it, matching on demand). Each such read
 * is one `externalcontact/get` against the corp's 10,000 a minute (90454), so:
 * - concurrent requests for one contact share one read: in this process through the promise in
 *   flight, across instances through a lease in kv_cache — the others wait for its answer;
 * - an id WeCom does not know is remembered for UNKNOWN_CONTACT_MS in kv_cache, for every
 *   instance: asked again within that time, it is answered without a call;
 * - the call itself goes through the caller's client, which charges the person (server/wecom/budget.ts).
 */
import { QueryTypes, type Sequelize } from 'sequelize';
import type { KvStore } from '../../db/kv-store';
import { DomainError } from '../../errors';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError } from '../../wecom/errors';
import { applyExternalContact } from './service';

/** How long "WeCom does not know this id" is believed. A contact added meanwhile arrives by its callback. */
export const UNKNOWN_CONTACT_MS = 2 * 60_000;
/** The longest one read may hold its lease (a person's call gives up after 3 s, a retry after 3 more). */
const READ_LEASE_MS = 10_000;
/** How often a request waiting on another instance's read looks whether it has ended. */
const WAIT_POLL_MS = 50;

export class ContactReader {
  private readonly inFlight = new Map<string, Promise<boolean>>();
  private readonly now: () => number;

  constructor(private readonly deps: { sequelize: Sequelize; wecom: WecomClient; store: KvStore; now?: () => number }) {
    this.now = deps.now ?? Date.now;
  }

  /**
   * true when WeCom knows the contact (the mirror now holds what WeCom says of it and its
   * followers), false when WeCom does not know the id.
   */
  refresh(externalUserid: string): Promise<boolean> {
    const running = this.inFlight.get(externalUserid);
    // Joining someone else's read: their budget running out is not ours — then we read for ourselves.
    if (running)
      return running.catch((err: unknown) => (err instanceof DomainError && err.kind === 'rate_limited' ? this.refresh(externalUserid) : Promise.reject(err)));
    const read = this.readShared(externalUserid).finally(() => this.inFlight.delete(externalUserid));
    this.inFlight.set(externalUserid, read);
    return read;
  }

  /** Whether WeCom said lately that it does not know the id. */
  async knownUnknown(externalUserid: string): Promise<boolean> {
    return (await this.deps.store.get(unknownKey(externalUserid))) !== null;
  }

  private async readShared(externalUserid: string): Promise<boolean> {
    const { store } = this.deps;
    const lease = `wecom:contact-read:${externalUserid}`;
    let waited = false;
    for (;;) {
      if (await this.knownUnknown(externalUserid)) return false;
      if (await store.claim(lease, String(process.pid), new Date(this.now() + READ_LEASE_MS))) break;
      // Another instance is reading it: once its lease is gone, the mirror or the unknown mark has its answer.
      waited = true;
      await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
      if ((await store.get(lease)) === null && (await this.mirrored(externalUserid))) return true;
    }
    try {
      // The read we waited on may have ended between our last look and this claim: its answer is in the mirror.
      if (waited && (await this.mirrored(externalUserid))) return true;
      return await this.read(externalUserid);
    } finally {
      await store.delete(lease);
    }
  }

  private async read(externalUserid: string): Promise<boolean> {
    const { sequelize, wecom, store } = this.deps;
    const known = await mirrorContactFromWecom(sequelize, wecom, externalUserid);
    if (!known) await store.set(unknownKey(externalUserid), '1', new Date(this.now() + UNKNOWN_CONTACT_MS));
    return known;
  }

  private async mirrored(externalUserid: string): Promise<boolean> {
    const [row] = await this.deps.sequelize.query('SELECT 1 AS x FROM wecom_external_contacts WHERE external_userid = ?', {
      replacements: [externalUserid],
      type: QueryTypes.SELECT,
    });
    return row !== undefined;
  }
}

/**
 * Writes the mirror from what WeCom says of the contact and its followers now; false when WeCom
 * does not know it. Also how a write whose answer was lost is reconciled (tags.ts): whether or not
 * it landed, the mirror then matches WeCom.
 */
export async function mirrorContactFromWecom(sequelize: Sequelize, wecom: WecomClient, externalUserid: string): Promise<boolean> {
  try {
    const fetched = await wecom.getExternalContact(externalUserid);
    await sequelize.transaction((t) => applyExternalContact(sequelize, fetched.external_contact, fetched.follow_user, t));
    return true;
  } catch (err) {
    if (err instanceof WecomApiError && err.gone) return false;
    throw err;
  }
}

const unknownKey = (externalUserid: string) => `wecom:contact-unknown:${externalUserid}`;
