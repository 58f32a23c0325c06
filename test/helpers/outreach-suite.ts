/**
 * The set-up the 客户群发 browser flows share: the demo CRM (linked to WeCom) in a browser suite, 合规
 * given to risk-1, and `open(userid, path, desktop?)` — a phone (375×812) or desktop (1280×800)
 * page logged in through the simulator, closed after the file.
 */
import { QueryTypes } from 'sequelize';
import type { MassMessageView } from '@shared/mass-messages';
import { loginThroughSimulator, openPhonePage, type PhonePage } from './browser';
import { crmClient, type CrmClient } from './crm';
import { useH5Suite, type H5Suite } from './h5-suite';

export interface OutreachSuite {
  suite: H5Suite;
  api: () => CrmClient;
  open: (userid: string, path: string, desktop?: boolean) => Promise<PhonePage>;
  /** 合规 approves message `id`; resolves once its WeCom tasks exist, with the first one's msgid and sender. */
  approve: (id: number) => Promise<{ msgid: string; sender_userid: string }>;
}

export function useOutreachSuite(): OutreachSuite {
  let api: CrmClient;
  const suite = useH5Suite({
    seedCrm: 'linked',
    async setUp({ server }) {
      api = crmClient(server);
      await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
    },
  });
  const pages: PhonePage[] = [];
  const open = async (userid: string, path: string, desktop = false) => {
    const phone = await openPhonePage(suite.browser, suite.server.baseUrl, desktop ? { viewport: { width: 1280, height: 800 }, desktop: true } : {});
    pages.push(phone);
    await loginThroughSimulator(phone, path, userid);
    return phone;
  };
  afterAll(async () => {
    for (const p of pages) await p.context.close();
  });
  async function approve(id: number) {
    const message = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${id}`);
    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '同意' }, 200);
    await suite.server.services.massMessages.settled();
    const [task] = await suite.server.db.sequelize.query<{ msgid: string; sender_userid: string }>(
      'SELECT msgid, sender_userid FROM mass_message_tasks WHERE mass_message_id = ? ORDER BY id LIMIT 1',
      { replacements: [id], type: QueryTypes.SELECT },
    );
    return task!;
  }
  return { suite, api: () => api, open, approve };
}
