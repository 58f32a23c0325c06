/**
 * A buy above the customer's level from someone who may only ask for a suitability exception
 * (`sales.request_exception`, not `sales.override_suitability`): the doors (`POST /api/sales`,
 * `POST /api/trades`) hand it to this, which submits it for approval instead of writing a trade.
 * Implemented by server/modules/suitability-exceptions (a workflow above the ledger) and wired in
 * app.ts, so the ledger never imports the approval engine.
 */
import type { ApprovalView } from '@shared/approval-labels';
import type { TradeInput } from '@shared/ledger';
import type { Caller } from '../roles/ownership';
import type { TradeRow } from './models';

export type BuyInput = Extract<TradeInput, { kind: 'buy' }>;

export interface SuitabilityExceptionDoor {
  /** Whether this buy goes to approval: it asks for an override its caller may only request. */
  wants(caller: Caller, input: TradeInput): input is BuyInput;
  /**
   * The buy as a pending request (202), or — when it turns out to suit the customer — the trade
   * written at once. A mismatch no exception may cover (C1, no valid assessment) is the ledger's 409.
   */
  request(caller: Caller, input: BuyInput): Promise<{ pending: ApprovalView } | { trade: TradeRow }>;
}
