/**
 * 客户群发 results polled in the background (server/README.md#客户群发): once a message's tasks exist,
 * a `mass_message.poll` job reads WeCom's results (93338) on a schedule until every task is sent —
 * every 5 minutes in the first hour, every 30 minutes in the first day, then every 3 hours — and
 * stops after 7 days whatever happens (no job waits forever): the customers still waiting then
 * read 成员未确认; the detail page can still ask WeCom on request. Each round reads at most
 * POLL_TASKS_PER_ROUND tasks, the least recently read first, one get_groupmsg_task call each and
 * the send results only for a task its member has sent (MassMessageService.refresh): a round of
 * a message with 30 senders costs at most 30 calls while nobody confirms.
 */
import type { Sequelize, Transaction } from 'sequelize';
import { enqueueJob, type JobHandler } from '../../jobs/jobs';
import type { Logger } from '../../logger';
import { massModels } from './models';
import type { MassMessageService } from './service';

export const POLL_JOB = 'mass_message.poll' as const;
export const POLL_TASKS_PER_ROUND = 50;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** After this long since its tasks were created, a message is no longer polled. */
export const POLL_FOR_MS = 7 * 24 * HOUR;

/** When to read again, by how long the tasks have waited. */
export function nextPollDelay(waitedMs: number): number {
  if (waitedMs < HOUR) return 5 * MINUTE;
  if (waitedMs < 24 * HOUR) return 30 * MINUTE;
  return 3 * HOUR;
}

type Payload = { massMessageId: number };

/** Queues the first poll of a message now sending (in the transaction that marks it so). */
export async function schedulePoll(sequelize: Sequelize, massMessageId: number, transaction: Transaction, now = new Date()): Promise<void> {
  await enqueueJob(
    sequelize,
    { kind: POLL_JOB, payload: { massMessageId }, key: `${POLL_JOB}:${massMessageId}`, runAt: new Date(now.getTime() + nextPollDelay(0)) },
    transaction,
    now,
  );
}

export function massMessageJobs(deps: { sequelize: Sequelize; logger: Logger; service: () => MassMessageService; now?: () => number }): JobHandler[] {
  const { sequelize } = deps;
  const now = deps.now ?? Date.now;
  const poll: JobHandler<Payload> = {
    kind: POLL_JOB,
    label: '查询客户群发结果',
    concurrency: 1,
    leaseMs: 5 * MINUTE,
    retry: { maxAttempts: 10, baseMs: MINUTE, capMs: HOUR },
    // Nothing waits on the job: the message stays 待成员发送 and its detail page reads WeCom on request.
    async onDead() {},
    async onRetry() {},
    async run({ massMessageId }) {
      const message = (await massModels(sequelize).MassMessage.findByPk(massMessageId))?.get();
      if (!message || message.status !== 'sending' || !message.dispatched_at) return;
      const open = await deps.service().refresh(massMessageId, POLL_TASKS_PER_ROUND);
      if (open === 0) return;
      const waited = now() - new Date(message.dispatched_at).getTime();
      if (waited >= POLL_FOR_MS) {
        await deps.service().stopWaiting(massMessageId);
        return;
      }
      return { runAgainAt: new Date(now() + nextPollDelay(waited)) };
    },
  };
  return [poll as JobHandler];
}
