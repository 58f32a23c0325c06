/**
 * Runs reminders inside the server process: once a minute, on a working day (Mon–Fri, China
 * time) at or after the corp's digest time, queue the day's digest (once per day across
 * instances), then send what is due in the outbox.
 */
import type { Sequelize } from 'sequelize';
import type { CorpSettings } from '@shared/settings';
import { BUSINESS_UTC_OFFSET_MS } from '@shared/time';
import type { Logger } from '../../logger';
import type { WecomClient } from '../../wecom/client';
import { readSettings } from '../settings/service';
import { queueDailyDigests, type DigestOutcome } from './digest';
import { sendDueNotifications, type NotificationKind } from './outbox';

export interface ReminderDeps {
  sequelize: Sequelize;
  wecom: WecomClient;
  logger: Logger;
  publicUrl: string;
  settingDefaults: CorpSettings;
  now?: () => Date;
}

const TICK_MS = 60_000;

/** The notification kinds a corp has switched off. */
export function mutedKinds(settings: CorpSettings): Set<NotificationKind> {
  const muted = new Set<NotificationKind>();
  if (!settings.dailyDigest) muted.add('digest');
  if (!settings.notifyMatching) ['lead_created', 'contact_linked'].forEach((k) => muted.add(k as NotificationKind));
  if (!settings.notifyTransfer) muted.add('transfer');
  if (!settings.notifyChurn) muted.add('churn');
  return muted;
}

/** China wall-clock of `at`: its weekday (0 = Sunday) and `HH:MM`. */
function chinaClock(at: Date): { weekday: number; time: string } {
  const local = new Date(at.getTime() + BUSINESS_UTC_OFFSET_MS);
  return { weekday: local.getUTCDay(), time: local.toISOString().slice(11, 16) };
}

export class ReminderScheduler {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private readonly now: () => Date;

  constructor(private readonly deps: ReminderDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
    void this.tick();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([this.running, this.sending]);
  }

  private sending: Promise<void> | undefined;
  private sendAgain = false;

  /**
   * Sends what is due now, without the digest: a card queued for someone who should act on it (an
   * approval) goes out at once instead of at the next minute. Asked again while sending, it sends
   * once more after; never throws.
   */
  sendSoon(): Promise<void> {
    if (this.sending) {
      this.sendAgain = true;
      return this.sending;
    }
    this.sending = (async () => {
      do {
        this.sendAgain = false;
        const settings = await readSettings(this.deps.sequelize, this.deps.settingDefaults);
        await sendDueNotifications({ ...this.deps, muted: mutedKinds(settings) }, this.now());
      } while (this.sendAgain);
    })()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'notification send failed'))
      .finally(() => {
        this.sending = undefined;
      });
    return this.sending;
  }

  /** One pass; never throws (a failed pass is logged and the next minute tries again). */
  tick(): Promise<void> {
    this.running ??= this.pass()
      .catch((err: unknown) => this.deps.logger.error({ err }, 'reminder pass failed'))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async pass(): Promise<void> {
    const now = this.now();
    const settings = await readSettings(this.deps.sequelize, this.deps.settingDefaults);
    const clock = chinaClock(now);
    if (settings.dailyDigest && clock.weekday >= 1 && clock.weekday <= 5 && clock.time >= settings.digestTime) {
      await queueDailyDigests(this.deps.sequelize, now, settings.staleDays);
    }
    await sendDueNotifications({ ...this.deps, muted: mutedKinds(settings) }, now);
  }

  /**
   * `POST /api/admin/reminders/run`: today's digest now for everyone due one who has not had it
   * (a person still gets one a day: running it twice sends nothing twice), then send what is due.
   */
  async runNow(): Promise<DigestOutcome & { sent: number }> {
    const now = this.now();
    const settings = await readSettings(this.deps.sequelize, this.deps.settingDefaults);
    const outcome = await queueDailyDigests(this.deps.sequelize, now, settings.staleDays, 'catch_up');
    const sent = await sendDueNotifications({ ...this.deps, muted: mutedKinds(settings) }, now);
    return { ...outcome, sent };
  }
}
