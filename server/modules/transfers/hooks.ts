/**
 * The transfers module's reaction to the WeCom mirror, on the hook path every other reaction uses
 * (server/modules/wecom-mirror/hooks.ts, wired in server/container.ts).
 */
import type { Sequelize } from 'sequelize';
import type { ExternalContactHooks } from '../wecom-mirror/hooks';
import { transferFailed } from './jobs';

export function transferHooks(sequelize: Sequelize): Partial<ExternalContactHooks> {
  return {
    // transfer_fail: the waiting transfers of that takeover member for that contact are polled at once.
    onTransferFailed: (externalUserid, takeoverUserid, transaction) => transferFailed(sequelize, externalUserid, takeoverUserid, transaction),
  };
}
