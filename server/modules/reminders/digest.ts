/**
 * The daily digest: one WeCom message per rep each working day, listing their customers due
 * today, overdue, and quiet for `staleDays`, and — once each — risk assessments about to expire
 * and holdings about to mature (upcoming.ts) and 合格投资者认定 about to lapse; every day, the rep's
 * buys past their 冷静期 still waiting for a 回访. Queued once per China day across all instances:
 * the `digest_runs` row and the day's notifications commit together. An admin may then catch up
 * those who have not had today's (people or customers that arrived after the scheduled run —
 * on a first start, the whole demo corp): each person still gets one digest a day at most.
 */
// Raw SQL on other modules' tables, on purpose: the day's digest reads every owner's due customers in one
// statement for the corp (not a read per owner).
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { addDays, businessDate, startOfBusinessDay } from '@shared/time';
import { dateOnlyOrNull } from '../../db/lookup';
import { insertIgnoringDuplicates, retryOnDeadlock, updateRows } from '../../db/dialect';
import { enqueueNotification, type CardLine } from './outbox';
import { ASSESSMENT_NOTICE_DAYS, MATURITY_NOTICE_DAYS, upcomingDates, type ExpiringAssessment, type MaturingHolding } from './upcoming';

const DAY_MS = 86_400_000;
const NAMES_SHOWN = 3;

export interface DigestOutcome {
  day: string;
  /** Whether this call queued any digest (false: the day's run was done, or nobody was due one). */
  queued: boolean;
  /** Digests this call queued: people who had not had today's. */
  recipients: number;
  /** People who had today's digest already (queued by an earlier run), left alone. */
  alreadyHad: number;
}

/**
 * `once`: the scheduled run, the day's first and only (another instance, or a second pass, finds
 * the day taken). `catch_up`: the admin's 立即发送 — today's digest for every person due one who
 * has not had it, whether or not the day's run happened.
 */
export type DigestMode = 'once' | 'catch_up';

interface Tally {
  owner: number;
  due: number;
  overdue: number;
  stale: number;
}

/** Queues today's digests (see DigestMode); a person gets one digest a China day at most. */
export async function queueDailyDigests(sequelize: Sequelize, now: Date, staleDays: number, mode: DigestMode = 'once'): Promise<DigestOutcome> {
  // Two catch-ups at once can deadlock on MySQL (both hold the day's row shared after the duplicate
  // insert, then both want it exclusive): the victim runs again and finds what the other queued.
  return retryOnDeadlock(() => queueDigestsOnce(sequelize, now, staleDays, mode));
}

async function queueDigestsOnce(sequelize: Sequelize, now: Date, staleDays: number, mode: DigestMode): Promise<DigestOutcome> {
  const day = businessDate(now);
  const today = startOfBusinessDay(now);
  const tomorrow = startOfBusinessDay(now, 1);
  return sequelize.transaction(async (transaction) => {
    // The day's first run inserts its row; a second instance of the scheduled run waits on the key,
    // then skips. Catching up then locks that row: one catch-up at a time, across instances — a
    // second waits, then sees what the first queued.
    const claimed = await insertIgnoringDuplicates(sequelize, 'digest_runs', { day, queued: 0, created_at: now, updated_at: now }, { transaction });
    if (!claimed && mode === 'catch_up') await updateRows(sequelize, 'UPDATE digest_runs SET updated_at = ? WHERE day = ?', [now, day], transaction);
    if (!claimed && mode === 'once') return { day, queued: false, recipients: 0, alreadyHad: 0 };
    const had = await digestedOn(sequelize, day, transaction);
    const tallies = await sequelize.query<Tally>(
      `SELECT c.owner_user_id AS owner,
              SUM(CASE WHEN c.next_follow_up_at >= :today AND c.next_follow_up_at < :tomorrow THEN 1 ELSE 0 END) AS due,
              SUM(CASE WHEN c.next_follow_up_at < :today THEN 1 ELSE 0 END) AS overdue,
              SUM(CASE WHEN c.last_follow_up_at IS NULL OR c.last_follow_up_at < :cutoff THEN 1 ELSE 0 END) AS stale
         FROM customers c JOIN users u ON u.id = c.owner_user_id
        WHERE c.deleted_at IS NULL AND u.status = 'active'
        GROUP BY c.owner_user_id`,
      { replacements: { today, tomorrow, cutoff: new Date(now.getTime() - staleDays * DAY_MS) }, type: QueryTypes.SELECT, transaction },
    );
    const waiting = await sequelize.query<{ owner: number; name: string; next: Date | string }>(
      `SELECT owner_user_id AS owner, name, next_follow_up_at AS next FROM customers
        WHERE deleted_at IS NULL AND next_follow_up_at < :tomorrow ORDER BY next_follow_up_at, id`,
      { replacements: { tomorrow }, type: QueryTypes.SELECT, transaction },
    );
    const namesOf = (owner: number, overdue: boolean) =>
      waiting.filter((w) => Number(w.owner) === owner && new Date(w.next) < today === overdue).map((w) => w.name);
    // Only for people who get a digest now: an assessment or maturity is announced once, in a digest sent.
    const dates = await newlyDue(sequelize, day, now, transaction, (owner) => !had.has(owner));
    const tallyOf = new Map(tallies.map((t) => [Number(t.owner), t]));
    const active = new Set(
      (await sequelize.query<{ id: number }>("SELECT id FROM users WHERE status = 'active'", { type: QueryTypes.SELECT, transaction })).map((u) =>
        Number(u.id),
      ),
    );
    const callbacks = await waitingCallbacksBySeller(sequelize, now, transaction);
    const owners = [
      ...new Set([
        ...tallyOf.keys(),
        ...dates.assessments.map((a) => a.owner),
        ...dates.holdings.map((h) => h.owner),
        ...dates.qualifications.map((q) => q.owner),
        ...callbacks.keys(),
      ]),
    ]
      .filter((o) => active.has(o) && !had.has(o))
      .sort((a, b) => a - b);
    let recipients = 0;
    for (const owner of owners) {
      const t = tallyOf.get(owner);
      const [due, overdue, stale] = [Number(t?.due ?? 0), Number(t?.overdue ?? 0), Number(t?.stale ?? 0)];
      const expiring = dates.assessments.filter((a) => a.owner === owner);
      const maturing = dates.holdings.filter((h) => h.owner === owner);
      const lapsing = dates.qualifications.filter((q) => q.owner === owner);
      const toCall = callbacks.get(owner) ?? 0;
      if (due + overdue + stale + expiring.length + maturing.length + lapsing.length + toCall === 0) continue;
      const lines: CardLine[] = [{ tone: 'gray', text: day.replace(/^(\d{4})-(\d{2})-(\d{2})$/, (_, y, m, d) => `${y}年${Number(m)}月${Number(d)}日`) }];
      if (overdue) lines.push({ tone: 'highlight', text: `已逾期 ${overdue} 位：${listed(namesOf(owner, true), overdue)}` });
      if (due) lines.push({ text: `今天要跟进 ${due} 位：${listed(namesOf(owner, false), due)}` });
      if (stale) lines.push({ tone: 'gray', text: `超过 ${staleDays} 天未跟进 ${stale} 位` });
      if (expiring.length) {
        lines.push({
          tone: 'highlight',
          text: `风险测评 ${ASSESSMENT_NOTICE_DAYS} 天内到期 ${expiring.length} 位：${listed(
            expiring.map((a) => `${a.name}（${a.expiresOn.slice(5)}）`),
            expiring.length,
          )}`,
        });
      }
      if (maturing.length) {
        lines.push({
          text: `持仓 ${MATURITY_NOTICE_DAYS} 天内到期 ${maturing.length} 笔：${listed(
            maturing.map((h) => `${h.customerName} ${h.productName}（${h.maturesOn.slice(5)}）`),
            maturing.length,
          )}`,
        });
      }
      if (lapsing.length) {
        lines.push({
          tone: 'highlight',
          text: `合格投资者认定 ${ASSESSMENT_NOTICE_DAYS} 天内到期 ${lapsing.length} 位：${listed(
            lapsing.map((q) => `${q.name}（${q.validUntil.slice(5)}）`),
            lapsing.length,
          )}`,
        });
      }
      // Every day while they wait: the seller cannot do the 回访 (募集办法第二十九条) but answers for it being done.
      if (toCall) lines.push({ tone: 'highlight', text: `冷静期已过、待回访的申购 ${toCall} 笔：请联系非销售人员完成回访` });
      // The dedupe key is the once-a-day guarantee, whatever ran before.
      const queued = await enqueueNotification(
        sequelize,
        { kind: 'digest', dedupeKey: digestKey(day, owner), userId: owner, title: '今日客户跟进提醒', lines, path: '/workbench' },
        now,
        transaction,
      );
      if (queued) recipients++;
    }
    await sequelize.query('UPDATE digest_runs SET queued = queued + ? WHERE day = ?', { replacements: [recipients, day], transaction });
    return { day, queued: recipients > 0, recipients, alreadyHad: had.size };
  });
}

const digestKey = (day: string, owner: number) => `digest:${day}:${owner}`;

/** The people whose digest of `day` is in the outbox already (whatever became of it since). */
async function digestedOn(sequelize: Sequelize, day: string, transaction: Transaction): Promise<Set<number>> {
  const rows = await sequelize.query<{ user_id: number }>("SELECT user_id FROM notifications WHERE kind = 'digest' AND dedupe_key LIKE ?", {
    replacements: [`${digestKey(day, 0).slice(0, -1)}%`],
    type: QueryTypes.SELECT,
    transaction,
  });
  return new Set(rows.map((r) => Number(r.user_id)));
}

/**
 * Assessments and maturities the digest has not announced yet (each once: a row per date in
 * `reminder_notices`, written with the day's digests).
 */
async function newlyDue(
  sequelize: Sequelize,
  day: string,
  now: Date,
  transaction: Transaction,
  forOwner: (owner: number) => boolean,
): Promise<{ assessments: ExpiringAssessment[]; holdings: MaturingHolding[]; qualifications: LapsingQualification[] }> {
  const upcoming = await upcomingDates(sequelize, day, undefined, transaction);
  const qualifications = (await lapsingQualifications(sequelize, day, transaction)).filter((q) => forOwner(q.owner));
  const assessments = upcoming.assessments.filter((a) => forOwner(a.owner));
  const holdings = upcoming.holdings.filter((h) => forOwner(h.owner));
  const fresh = async <T>(items: T[], kind: string, subject: (i: T) => number, dueOn: (i: T) => string): Promise<T[]> => {
    const out: T[] = [];
    for (const item of items) {
      const row = { kind, subject_id: subject(item), due_on: dueOn(item), created_at: now, updated_at: now };
      if (await insertIgnoringDuplicates(sequelize, 'reminder_notices', row, { transaction })) out.push(item);
    }
    return out;
  };
  return {
    assessments: await fresh(
      assessments,
      'assessment_expiry',
      (a) => a.customerId,
      (a) => a.expiresOn,
    ),
    holdings: await fresh(
      holdings,
      'holding_maturity',
      (h) => h.holdingId,
      (h) => h.maturesOn,
    ),
    qualifications: await fresh(
      qualifications,
      'qualification_expiry',
      (q) => q.customerId,
      (q) => q.validUntil,
    ),
  };
}

/** A customer's 合格投资者认定 (shared/qualification.ts) ending within ASSESSMENT_NOTICE_DAYS. */
interface LapsingQualification {
  customerId: number;
  name: string;
  owner: number;
  validUntil: string;
}

async function lapsingQualifications(sequelize: Sequelize, day: string, transaction: Transaction): Promise<LapsingQualification[]> {
  const rows = await sequelize.query<{ id: number; name: string; owner: number; until: string | Date }>(
    `SELECT id, name, owner_user_id AS owner, qualification_valid_until AS until FROM customers
      WHERE deleted_at IS NULL AND qualification_basis IS NOT NULL AND qualification_valid_until BETWEEN :day AND :until
      ORDER BY qualification_valid_until, id`,
    { replacements: { day, until: addDays(day, ASSESSMENT_NOTICE_DAYS) }, type: QueryTypes.SELECT, transaction },
  );
  return rows.map((r) => ({ customerId: Number(r.id), name: r.name, owner: Number(r.owner), validUntil: dateOnlyOrNull(r.until)! }));
}

/**
 * Buys past their 冷静期 still waiting for a 回访 (server/modules/trades/cooling-off.ts), counted by
 * the rep credited. Raw SQL on `trades`: one aggregate for the digest, as the tallies above.
 */
async function waitingCallbacksBySeller(sequelize: Sequelize, now: Date, transaction: Transaction): Promise<Map<number, number>> {
  const rows = await sequelize.query<{ owner: number; n: number | string }>(
    `SELECT rep_user_id AS owner, COUNT(*) AS n FROM trades
      WHERE kind = 'buy' AND voided_at IS NULL AND rep_user_id IS NOT NULL AND callback_status IN ('pending', 'unreachable')
        AND (cooling_off_ends_at IS NULL OR cooling_off_ends_at <= :now)
      GROUP BY rep_user_id`,
    { replacements: { now }, type: QueryTypes.SELECT, transaction },
  );
  return new Map(rows.map((r) => [Number(r.owner), Number(r.n)]));
}

const listed = (names: string[], total: number) => `${names.slice(0, NAMES_SHOWN).join('、')}${total > NAMES_SHOWN ? ' 等' : ''}`;
