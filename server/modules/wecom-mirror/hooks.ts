/**
 * The reactions of other modules to a change of the WeCom mirror: the callback handlers
 * (wecom-events) and the full sync call them in the transaction that wrote the mirror; matching,
 * engagement, churn and transfers plug in (server/container.ts). Here, beside the mirror, so that
 * whoever reacts imports the mirror and neither the inbox nor the mirror imports who reacts.
 */
import type { Transaction } from 'sequelize';
import type { RelationDeleteReason } from './service';

export type ContactChange = 'added' | 'edited' | 'synced';

export interface ExternalContactHooks {
  /** After a contact's mirror changed (added, edited, or new / changed in a full sync): matching plugs in here. */
  onExternalContactChanged(externalUserid: string, userid: string, change: ContactChange, transaction: Transaction): Promise<void>;
  /** After a page of a full sync wrote new or changed relations: the same, for all of them at once. */
  onExternalContactsSynced(relations: readonly { externalUserid: string; userid: string }[], transaction: Transaction): Promise<void>;
  /** After a follow relation ended (either side deleted the other, a transfer moved it, or it vanished from WeCom) — once per relation. */
  onRelationEnded(externalUserid: string, userid: string, reason: RelationDeleteReason, transaction: Transaction): Promise<void>;
  /** After WeCom said a customer's takeover failed (transfer_fail), once the mirror has kept the reason. */
  onTransferFailed(externalUserid: string, takeoverUserid: string, transaction: Transaction): Promise<void>;
}

/** Several modules' reactions as one set of hooks, run in the order given. */
export function allHooks(...sets: Partial<ExternalContactHooks>[]): ExternalContactHooks {
  return {
    async onExternalContactChanged(externalUserid, userid, change, transaction) {
      for (const s of sets) await s.onExternalContactChanged?.(externalUserid, userid, change, transaction);
    },
    async onExternalContactsSynced(relations, transaction) {
      for (const s of sets) await s.onExternalContactsSynced?.(relations, transaction);
    },
    async onRelationEnded(externalUserid, userid, reason, transaction) {
      for (const s of sets) await s.onRelationEnded?.(externalUserid, userid, reason, transaction);
    },
    async onTransferFailed(externalUserid, takeoverUserid, transaction) {
      for (const s of sets) await s.onTransferFailed?.(externalUserid, takeoverUserid, transaction);
    },
  };
}

/** For tools and tests that mirror contacts without matching them. */
export const NO_HOOKS: ExternalContactHooks = {
  onExternalContactChanged: async () => {},
  onExternalContactsSynced: async () => {},
  onRelationEnded: async () => {},
  onTransferFailed: async () => {},
};
