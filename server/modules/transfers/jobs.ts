/**
 * The WeCom side of a handover, as durable jobs (server/jobs): `transfer.submit` asks WeCom to
 * start the takeovers of one batch (100 customers or groups a call); `transfer.poll` asks
 * `transfer_result` for one handover → takeover pair until nothing of theirs is waiting. A
 * `transfer_fail` event makes the pair's poll due at once.
 */
import { Op, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { TransferStatus } from '@shared/transfers';
import { isFailedTransfer } from '@shared/transfers';
import { enqueueOrHasten, type JobHandler } from '../../jobs/jobs';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { WecomApiError, isTransient } from '../../wecom/errors';
import type { TransferKind } from '../../wecom/types';
import { applyExternalContact, markRelationDeleted, upsertGroupChat } from '../wecom-mirror/service';
import { transferModels, type TransferRow } from './models';
import { notifyFailures } from './notices';
import { ALREADY_IN_FLIGHT, FIRST_POLL_MS, chunks, interruptionText, liveKeyOf, nextPollAt, refusalText, statusOfCode, UNLISTED_GRACE_MS } from './rules';
import { SUBMIT_JOB } from './service';

export const POLL_JOB = 'transfer.poll';

export interface TransferJobDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  now?: () => Date;
}

interface Pair {
  kind: TransferKind;
  handover: string;
  takeover: string;
}

const pairKey = (p: Pair) => `transfer-poll:${p.kind}:${p.handover}:${p.takeover}`;

/** Makes the pair's poll due at `at` (or sooner than planned). */
export async function pollPairSoon(sequelize: Sequelize, pair: Pair, at: Date, transaction?: Transaction): Promise<void> {
  await enqueueOrHasten(sequelize, { kind: POLL_JOB, key: pairKey(pair), payload: pair, runAt: at }, transaction);
}

/** A WeCom answer about one row: its new status, why, and when the takeover happens. */
interface Outcome {
  status: TransferStatus;
  errcode?: number;
  reason?: string | null;
  takeoverAt?: Date | null;
}

async function settle(sequelize: Sequelize, row: TransferRow, outcome: Outcome, transaction: Transaction): Promise<void> {
  const live = outcome.status === 'queued' || outcome.status === 'waiting';
  await transferModels(sequelize).Transfer.update(
    {
      status: outcome.status,
      errcode: outcome.errcode ?? row.errcode,
      reason: outcome.reason === undefined ? row.reason : outcome.reason,
      takeover_at: outcome.takeoverAt === undefined ? row.takeover_at : outcome.takeoverAt,
      live_key: live ? row.live_key : null,
    },
    { where: { id: row.id }, transaction },
  );
}

/** Errors worth another attempt later: WeCom busy, blocked for a window, or out of reach. */
const transient = isTransient;

/** A refusal of the whole call (no permission, misconfigured): every row of it fails, with the admin's hint. */
function wholeCallRefusal(err: unknown): Outcome | null {
  if (!(err instanceof WecomApiError) || transient(err)) return null;
  return { status: 'rejected', errcode: err.errcode, reason: (err.adminHint ?? refusalText(err.errcode, err.errmsg)).slice(0, 255) };
}

export function transferJobs(deps: TransferJobDeps): JobHandler[] {
  const { sequelize, wecom } = deps;
  const now = deps.now ?? (() => new Date());
  const { Transfer } = transferModels(sequelize);

  const submit: JobHandler<{ batchId: string }> = {
    kind: SUBMIT_JOB,
    label: '提交客户转接',
    concurrency: 2,
    leaseMs: 120_000,
    retry: { maxAttempts: 10, baseMs: 5_000, capMs: 600_000 },
    permanent: (err) => !transient(err),
    // WeCom never took what is still queued: it fails, for the manager to retry (the contact free again).
    async onDead({ batchId }, { error, transaction }) {
      await interrupt(sequelize, { batch_id: batchId, status: 'queued' }, error, transaction);
    },
    // The admin's retry: what the death interrupted (and nobody decided on since) is queued again.
    async onRetry({ batchId }, transaction) {
      await resume(sequelize, { batch_id: batchId, takeover_at: null }, 'queued', transaction);
    },
    async run({ batchId }) {
      const queued = (await Transfer.findAll({ where: { batch_id: batchId, status: 'queued' }, order: [['id', 'ASC']] })).map((r) => r.get());
      const groups = new Map<string, TransferRow[]>();
      for (const row of queued) {
        const key = `${row.subject}|${row.kind}|${row.handover_userid}|${row.takeover_userid}`;
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      const failed: TransferRow[] = [];
      for (const rows of groups.values()) {
        const { kind, handover_userid: handover, takeover_userid: takeover, subject } = rows[0]!;
        for (const piece of chunks(rows)) {
          const outcomes = subject === 'group_chat' ? await submitChats(kind, piece, takeover!) : await submitContacts(kind, piece, handover!, takeover!);
          await sequelize.transaction(async (t) => {
            for (const [row, outcome] of outcomes) {
              await settle(sequelize, row, outcome, t);
              if (isFailedTransfer(outcome.status)) failed.push({ ...row, ...outcome, status: outcome.status } as TransferRow);
            }
            if (subject === 'contact' && [...outcomes.values()].some((o) => o.status === 'waiting')) {
              await pollPairSoon(sequelize, { kind, handover: handover!, takeover: takeover! }, new Date(now().getTime() + FIRST_POLL_MS), t);
            }
          });
        }
      }
      if (failed.length) await sequelize.transaction((t) => notifyFailures(sequelize, failed, t));
      // A group's new owner is final at once: mirror it now rather than wait for the change_owner callback.
      for (const row of queued) if (row.subject === 'group_chat') await refreshChat(row.chat_id!);
    },
  };

  /** 92125 / 94081: one errcode per customer; 0 — the takeover has started, due in 24 h. */
  async function submitContacts(kind: TransferKind, rows: TransferRow[], handover: string, takeover: string): Promise<Map<TransferRow, Outcome>> {
    const out = new Map<TransferRow, Outcome>();
    try {
      const answer = await wecom.transferCustomers(kind, {
        handover_userid: handover,
        takeover_userid: takeover,
        external_userid: rows.map((r) => r.external_userid!),
        transfer_success_msg: rows[0]!.message ?? undefined,
      });
      const codes = new Map(answer.customer.map((c) => [c.external_userid, c.errcode]));
      const due = new Date(now().getTime() + 86_400_000);
      for (const row of rows) {
        const code = codes.get(row.external_userid!) ?? 0;
        out.set(
          row,
          code === 0 || code === ALREADY_IN_FLIGHT ? { status: 'waiting', takeoverAt: due } : { status: 'rejected', errcode: code, reason: refusalText(code) },
        );
      }
    } catch (err) {
      const refusal = wholeCallRefusal(err);
      if (!refusal) throw err;
      for (const row of rows) out.set(row, refusal);
    }
    return out;
  }

  /** 95703 / 92127: the groups that could not move come back in failed_chat_list; the rest have a new owner. */
  async function submitChats(kind: TransferKind, rows: TransferRow[], takeover: string): Promise<Map<TransferRow, Outcome>> {
    const out = new Map<TransferRow, Outcome>();
    try {
      const answer = await wecom.transferGroupChats(
        kind,
        rows.map((r) => r.chat_id!),
        takeover,
      );
      const failures = new Map((answer.failed_chat_list ?? []).map((f) => [f.chat_id, f]));
      for (const row of rows) {
        const f = failures.get(row.chat_id!);
        out.set(row, f ? { status: 'rejected', errcode: f.errcode, reason: refusalText(f.errcode, f.errmsg) } : { status: 'done', takeoverAt: now() });
      }
    } catch (err) {
      const refusal = wholeCallRefusal(err);
      if (!refusal) throw err;
      for (const row of rows) out.set(row, refusal);
    }
    return out;
  }

  const poll: JobHandler<Pair> = {
    kind: POLL_JOB,
    label: '查询客户接替结果',
    concurrency: 2,
    leaseMs: 120_000,
    retry: { maxAttempts: 20, baseMs: 10_000, capMs: 1_800_000 },
    permanent: (err) => !transient(err),
    // Nobody will ask WeCom about the pair's waiting rows any more: they fail, for the manager to
    // retry (a retry of one WeCom still has in flight answers 40129 and is polled again).
    async onDead(pair, { error, transaction }) {
      await interrupt(sequelize, { ...pairWhere(pair), status: 'waiting' }, error, transaction);
    },
    // Rows that were waiting (they have a takeover time) wait again, and the retried poll asks.
    async onRetry(pair, transaction) {
      await resume(sequelize, { ...pairWhere(pair), takeover_at: { [Op.ne]: null } }, 'waiting', transaction);
    },
    async run(pair) {
      const waiting = (
        await Transfer.findAll({
          where: { ...pairWhere(pair), status: 'waiting' },
          order: [['id', 'ASC']],
        })
      ).map((r) => r.get());
      if (!waiting.length) return;
      const results = new Map((await wecom.transferResults(pair.kind, pair.handover, pair.takeover)).map((r) => [r.external_userid, r]));
      const at = now();
      const failed: TransferRow[] = [];
      const done: string[] = [];
      const stillWaiting: (Date | null)[] = [];
      await sequelize.transaction(async (t) => {
        for (const row of waiting) {
          const result = results.get(row.external_userid!);
          // WeCom lists a fresh takeover shortly after it started; one it never lists has no record.
          if (!result && at.getTime() - new Date(row.created_at).getTime() < UNLISTED_GRACE_MS) {
            stillWaiting.push(row.takeover_at);
            continue;
          }
          const status = result ? statusOfCode(result.status) : 'no_record';
          const takeoverAt = result ? new Date(result.takeover_time * 1000) : null;
          await settle(sequelize, row, { status, takeoverAt }, t);
          if (status === 'waiting') stillWaiting.push(takeoverAt);
          else if (status === 'done') {
            // The handover member's relation ended by the transfer (whether or not its callback comes first).
            await markRelationDeleted(sequelize, row.external_userid!, pair.handover, 'transferred', t);
            done.push(row.external_userid!);
          } else failed.push({ ...row, status });
        }
        if (failed.length) await notifyFailures(sequelize, failed, t);
      });
      // The relation moved: mirror it now rather than wait for the callback (which may be late or lost).
      for (const id of done) await refreshMirror(id);
      return stillWaiting.length ? { runAgainAt: nextPollAt(stillWaiting, at) } : undefined;
    },
  };

  async function refreshChat(chatId: string): Promise<void> {
    try {
      const fetched = await wecom.getGroupChat(chatId);
      await sequelize.transaction((t) => upsertGroupChat(sequelize, fetched.group_chat, t));
    } catch (err) {
      if (!(err instanceof WecomApiError && err.gone)) deps.logger.warn({ err, chatId }, 'could not refresh a transferred group');
    }
  }

  async function refreshMirror(externalUserid: string): Promise<void> {
    try {
      const fetched = await wecom.getExternalContact(externalUserid);
      await sequelize.transaction((t) => applyExternalContact(sequelize, fetched.external_contact, fetched.follow_user, t));
    } catch (err) {
      if (!(err instanceof WecomApiError && err.gone)) deps.logger.warn({ err, externalUserid }, 'could not refresh a transferred contact');
    }
  }

  return [submit, poll] as JobHandler[];
}

const pairWhere = (p: Pair) => ({ kind: p.kind, handover_userid: p.handover, takeover_userid: p.takeover, subject: 'contact' });

/**
 * A transfer job died: its rows (`where`) become `interrupted` with the reason, no longer hold
 * their contact or chat (a new transfer of it is accepted), and the managers who asked are told.
 */
async function interrupt(sequelize: Sequelize, where: WhereOptions<TransferRow>, error: unknown, transaction: Transaction): Promise<void> {
  const { Transfer } = transferModels(sequelize);
  const rows = (await Transfer.findAll({ where, transaction })).map((r) => r.get());
  if (!rows.length) return;
  const reason = interruptionText(error).slice(0, 255);
  await Transfer.update({ status: 'interrupted', reason, live_key: null }, { where: { id: { [Op.in]: rows.map((r) => r.id) } }, transaction });
  await notifyFailures(
    sequelize,
    rows.map((r) => ({ ...r, status: 'interrupted', reason })),
    transaction,
  );
}

/**
 * An admin retries the dead job: its interrupted rows nobody decided on wait on it again — except
 * those whose contact or chat another transfer took meanwhile (they stay for the manager).
 */
async function resume(sequelize: Sequelize, where: WhereOptions<TransferRow>, status: 'queued' | 'waiting', transaction: Transaction): Promise<void> {
  const { Transfer } = transferModels(sequelize);
  const rows = (await Transfer.findAll({ where: { ...where, status: 'interrupted', resolution: null }, transaction })).map((r) => r.get());
  const taken = new Set(
    (await Transfer.findAll({ attributes: ['live_key'], where: { live_key: { [Op.in]: rows.map((r) => liveKeyOf(r)) } }, transaction })).map(
      (r) => r.get().live_key,
    ),
  );
  for (const row of rows) {
    if (taken.has(liveKeyOf(row))) continue;
    await Transfer.update({ status, reason: null, live_key: liveKeyOf(row) }, { where: { id: row.id }, transaction });
  }
}

/** `transfer_fail` (server/wecom/README.md#callback-events): UserID is the takeover member; poll whatever of theirs waits for this contact. */
export async function transferFailed(
  sequelize: Sequelize,
  externalUserid: string,
  takeover: string,
  transaction: Transaction,
  now = new Date(),
): Promise<void> {
  const rows = (
    await transferModels(sequelize).Transfer.findAll({
      where: { external_userid: externalUserid, takeover_userid: takeover, status: { [Op.in]: ['waiting'] } },
      transaction,
    })
  ).map((r) => r.get());
  for (const r of rows) await pollPairSoon(sequelize, { kind: r.kind, handover: r.handover_userid!, takeover }, now, transaction);
}
