import type { XmlObject } from '../../wecom/xml';
import { identify } from './inbox';

const event = (fields: Record<string, string>): XmlObject => fields;

describe('identify', () => {
  it('keys the entity an event is about, so one entity’s events apply in order', () => {
    const keys = [
      identify(event({ Event: 'change_contact', ChangeType: 'update_user', UserID: 'u1' })),
      identify(event({ Event: 'change_contact', ChangeType: 'delete_party', Id: '5' })),
      identify(event({ Event: 'change_external_contact', ChangeType: 'edit_external_contact', UserID: 'u1', ExternalUserID: 'wm1' })),
      identify(event({ Event: 'change_external_chat', ChangeType: 'update', ChatId: 'wr1' })),
      identify(event({ Event: 'change_external_tag', ChangeType: 'create', Id: 't1' })),
    ].map((e) => e.entityKey);

    expect(keys).toEqual(['user:u1', 'party:5', 'external:wm1', 'chat:wr1', 'corp_tags']);
  });

  it('gives two events of one second for one employee two idempotency keys, a retry the same', () => {
    const a = { Event: 'change_external_contact', ChangeType: 'add_external_contact', CreateTime: '1', UserID: 'u1', ExternalUserID: 'wm1' };
    const b = { ...a, ExternalUserID: 'wm2' };

    expect(identify(event(a)).idempotencyKey).not.toBe(identify(event(b)).idempotencyKey);
    expect(identify(event(a)).idempotencyKey).toBe(identify(event({ ...a })).idempotencyKey);
  });
});
