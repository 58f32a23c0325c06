/**
 * The durable callback inbox (server/README.md#callback-flow). An event is stored before WeCom gets `success`;
 * its idempotency key is a hash of the whole canonical decrypted event, so WeCom's retries (same
 * content) collapse into one row while two different events in the same second (same employee,
 * same CreateTime, another ExternalUserID or State) never do.
 */
import { createHash } from 'node:crypto';
import type { CallbackEventType, ChangeTypeOf } from '@shared/events';
import type { Sequelize } from 'sequelize';
import { insertSkippingDuplicates, retryOnDeadlock } from '../../db/dialect';
import { xmlText, type XmlObject, type XmlValue } from '../../wecom/xml';
import { queueTable } from '../../jobs/queue';

export interface EventIdentity {
  eventType: string;
  changeType: string | null;
  idempotencyKey: string;
  /** Events with the same entity key are applied in arrival order. */
  entityKey: string;
}

function canonical(value: XmlValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(canonical);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, canonical(value[k]!)]),
  );
}

export function identify(event: XmlObject): EventIdentity {
  const eventType = xmlText(event, 'Event') ?? xmlText(event, 'MsgType') ?? 'unknown';
  const changeType = xmlText(event, 'ChangeType') ?? null;
  const idempotencyKey = createHash('sha256')
    .update(JSON.stringify(canonical(event)))
    .digest('hex');
  return { eventType, changeType, idempotencyKey, entityKey: entityKeyOf(eventType, changeType, event) };
}

function entityKeyOf(eventType: string, changeType: string | null, event: XmlObject): string {
  const field = (name: string) => xmlText(event, name) ?? '';
  switch (eventType) {
    case 'change_contact' satisfies CallbackEventType:
      if (changeType?.endsWith('_party')) return `party:${field('Id')}`;
      if (changeType === ('update_tag' satisfies ChangeTypeOf<'change_contact'>)) return `contact_tag:${field('TagId')}`;
      return `user:${field('UserID')}`;
    case 'change_external_contact' satisfies CallbackEventType:
      return `external:${field('ExternalUserID')}`;
    case 'change_external_chat' satisfies CallbackEventType:
      return `chat:${field('ChatId')}`;
    case 'change_external_tag' satisfies CallbackEventType:
      return 'corp_tags'; // every tag event re-reads the whole tag list: keep them in order
    default:
      return `other:${eventType}`;
  }
}

/** The `wecom_events` row of a decrypted event, pending from `now`. */
function inboxRow(xml: string, event: XmlObject, now: Date) {
  const id = identify(event);
  return {
    event_type: id.eventType.slice(0, 64),
    change_type: id.changeType?.slice(0, 64) ?? null,
    idempotency_key: id.idempotencyKey,
    entity_key: id.entityKey.slice(0, 191),
    payload: xml,
    status: 'pending',
    attempts: 0,
    next_attempt_at: now,
    received_at: now,
    created_at: now,
    updated_at: now,
  };
}

/** ~4 MB of payload per statement, well inside MySQL's default 16 MB packet limit. */
const MAX_STATEMENT_PAYLOAD = 4 * 1024 * 1024;

/**
 * Group commit for the callback endpoint: deliveries that arrive while a write is in flight are
 * stored together by the next one (one INSERT, one commit, one fsync), and each is answered only
 * once its write has committed. An idle server writes each delivery at once, alone; a burst of
 * 64 concurrent senders shares statements instead of queueing for 64 commits.
 */
export class InboxWriter {
  private waiting: { row: ReturnType<typeof inboxRow>; done: () => void; fail: (err: unknown) => void }[] = [];
  private writing = false;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly onStored: () => void = () => {},
    private readonly maxBatch = 200,
  ) {}

  /** Resolves once the event is durably stored (or was already: repeats collapse on the key). */
  store(xml: string, event: XmlObject): Promise<void> {
    return new Promise((done, fail) => {
      this.waiting.push({ row: inboxRow(xml, event, new Date()), done, fail });
      if (!this.writing) void this.writeAll();
    });
  }

  /** How many waiting rows go into the next statement: at most `maxBatch` and `MAX_STATEMENT_PAYLOAD` (one oversized row goes alone). */
  private batchLength(): number {
    let bytes = 0;
    let n = 0;
    while (n < Math.min(this.maxBatch, this.waiting.length) && (n === 0 || bytes + this.waiting[n]!.row.payload.length <= MAX_STATEMENT_PAYLOAD)) {
      bytes += this.waiting[n]!.row.payload.length;
      n++;
    }
    return n;
  }

  private async writeAll(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.batchLength());
      try {
        // The worker's claims lock ranges of the same indexes: a deadlock victim wrote nothing and
        // is simply written again (repeats collapse on the key).
        await retryOnDeadlock(() =>
          insertSkippingDuplicates(
            this.sequelize,
            'wecom_events',
            batch.map((b) => b.row),
            ['idempotency_key'],
          ),
        );
        batch.forEach((b) => b.done());
        this.onStored();
      } catch (err) {
        batch.forEach((b) => b.fail(err));
      }
    }
    this.writing = false;
  }
}

/** The callback inbox as a queue: an event is claimable once its entity's earlier events are finished. */
export const INBOX_QUEUE = queueTable(
  'wecom_events',
  { column: 'status', ready: 'pending', running: 'processing', dead: 'dead' },
  {
    claimable: "NOT EXISTS (SELECT 1 FROM wecom_events p WHERE p.entity_key = q.entity_key AND p.id < q.id AND p.status IN ('pending', 'processing'))",
    order: 'q.id',
  },
);
