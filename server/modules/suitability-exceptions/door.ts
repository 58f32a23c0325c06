/**
 * The doors' way into an approval (trades/exceptions.ts): a rep who may ask for a suitability
 * exception but not grant one (`sales.request_exception` without `sales.override_suitability`)
 * posts the buy with `suitabilityOverride: {reason}`; it is checked as any buy would be, in one
 * transaction with the customer's row locked, and submitted as a 适当性例外 request — a draft that
 * is no trade and counts in no figure until approved.
 */
import type { Sequelize } from 'sequelize';
import { checkSuitability } from '@shared/suitability';
import { businessDate } from '@shared/time';
import type { ApprovalEngine } from '../approvals/engine';
import { riskProfileOf } from '../customers/service';
import type { SuitabilityExceptionDoor } from '../trades/exceptions';
import type { TradeRow } from '../trades/models';
import { checkTrade, customerFromBody, inLedgerTransaction, writeTrade } from '../trades/ledger';
import { refuseHardLimit } from './handler';

export function suitabilityExceptionDoor(sequelize: Sequelize, engine: ApprovalEngine): SuitabilityExceptionDoor {
  return {
    wants: (caller, input): input is Extract<typeof input, { kind: 'buy' }> =>
      input.kind === 'buy' &&
      input.suitabilityOverride !== undefined &&
      !caller.access.permissions.has('sales.override_suitability') &&
      caller.access.permissions.has('sales.request_exception'),

    async request(caller, input) {
      const outcome = await inLedgerTransaction(sequelize, async (transaction): Promise<{ trade: TradeRow } | { id: number }> => {
        const { customer, product, credit } = await checkTrade(sequelize, caller, input, transaction);
        const today = businessDate(new Date());
        const verdict = checkSuitability(riskProfileOf(customer), product.risk_level, today);
        if (verdict.ok) {
          // It suits the customer after all: no exception to ask for, the buy is written as any other.
          const { suitabilityOverride: _none, ...buy } = input;
          return { trade: (await writeTrade(sequelize, caller, buy, transaction)).trade };
        }
        // C1 or no valid assessment: no exception may cover it — a 409, never a request.
        refuseHardLimit(verdict);
        const id = await engine.submit(
          {
            type: 'suitability_exception',
            requester: caller,
            subject: { ...input, repUserId: credit.repUserId, departmentId: credit.departmentId },
            reason: input.suitabilityOverride!.reason,
          },
          transaction,
        );
        return { id };
      }).catch(customerFromBody);
      if ('trade' in outcome) return outcome;
      return { pending: await engine.get(caller.access, outcome.id) };
    },
  };
}
