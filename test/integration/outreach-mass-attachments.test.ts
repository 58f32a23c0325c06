/**
 * 客户群发 attachments (issue 34, 92135): an image and a document uploaded through
 * POST /api/mass-messages/media, a link and a mini-program go with the text into the approval
 * (frozen: approval covers exactly that content) and into add_msg_template as WeCom's attachment
 * shapes with live media_ids (90253); at most 9; the simulator refuses what WeCom refuses.
 */
import type { MassMessageView } from '@shared/mass-messages';
import type { ApprovalView } from '@shared/approvals';
import { generateCorp } from '../../scripts/wecom-simulator/index';
import { SimulatorError } from '../../scripts/wecom-simulator/state';
import { useCrmServer } from '../helpers/crm-server';
import { databaseTargets } from '../helpers/database';

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

describe.each(databaseTargets())('客户群发 attachments on $label', (target) => {
  const { server, api } = useCrmServer(target, {
    simulator: { corp: generateCorp({ externalContacts: 20 }) },
    settings: { autoCreateLeads: true },
    syncExternalContacts: true,
  });
  const sim = () => server.simulator;
  async function upload(bytes: Buffer, name: string, as = 'mgr-east'): Promise<Response> {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)]), name);
    return (await api.as(as)).fetch('/api/mass-messages/media', { method: 'POST', body: form });
  }
  const uploaded = async (bytes: Buffer, name: string) => (await (await upload(bytes, name)).json()) as { id: number; kind: string; name: string };

  beforeAll(async () => {
    await api.send('admin', 'PUT', `/api/admin/users/${await api.userId('risk-1')}/roles`, { roles: ['compliance'] }, 200);
  });

  it('sends the image, document, link and mini-program into the approval and into WeCom’s task with live media', async () => {
    const image = await uploaded(PNG, '海报.png');
    const doc = await uploaded(PDF, '十二月月报.pdf');
    expect([image.kind, doc.kind]).toEqual(['image', 'file']);
    const attachments = [
      { type: 'image', mediaFileId: image.id },
      { type: 'file', mediaFileId: doc.id, name: '十二月月报.pdf' },
      { type: 'link', title: '十二月市场观点', url: 'https://example.com/view' },
      { type: 'miniprogram', title: '在线预约', appid: 'wx1234567890', page: 'pages/index', mediaFileId: image.id },
    ];
    const message = await api.send<MassMessageView>('mgr-east', 'POST', '/api/mass-messages', {
      audience: { ownerUserId: await api.userId('rep-east-1') },
      content: { text: '十二月月报请查收。', attachments },
    });
    const request = await api.get<ApprovalView>('risk-1', `/api/approvals/${message.approvalId}`);
    expect(JSON.stringify(request)).toContain('文件：十二月月报.pdf');

    await api.send('risk-1', 'POST', `/api/approvals/${message.approvalId}/approve`, { comment: '内容合规' }, 200);
    await server.services.massMessages.settled();
    const sent = await api.get<MassMessageView>('mgr-east', `/api/mass-messages/${message.id}`);

    const wecom = sim().api.massMessages.require(sent.tasks[0]!.msgid!);
    expect(wecom.attachments.map((a) => a.msgtype)).toEqual(['image', 'file', 'link', 'miniprogram']);
    const media = (a: Record<string, unknown>) => (a[String(a.msgtype)] as { media_id: string }).media_id;
    expect(sim().api.media.media.get(media(wecom.attachments[1]!))!.type).toBe('file');
    expect(sent.content.attachments).toHaveLength(4);
  });

  it('refuses a tenth attachment', async () => {
    const link = { type: 'link', title: '链接', url: 'https://example.com/a' };

    const refused = await api.send('mgr-east', 'POST', '/api/mass-messages', { content: { text: '附件太多', attachments: Array(10).fill(link) } }, 400);

    expect(JSON.stringify(refused)).toContain('附件最多 9 个');
  });

  it('refuses a document that is not PDF or Office, or whose bytes do not match its name', async () => {
    expect((await upload(Buffer.from('MZ executable'), '安装包.exe')).status).toBe(400);
    expect((await upload(PNG, '伪装.pdf')).status).toBe(400);
  });

  it('refuses an upload from someone who cannot create 群发', async () => {
    expect((await upload(PDF, '月报.pdf', 'rep-east-1')).status).toBe(403);
  });

  it('has the simulator refuse, as WeCom does, a file attachment without a live media_id and a link without its url', () => {
    const base = { chat_type: 'single', external_userid: ['x'], sender: 'rep-east-1', text: { content: '你好' } };

    const add = (attachments: unknown[]) => () => sim().api.massMessages.add({ ...base, attachments });

    expect(add([{ msgtype: 'file', file: { media_id: 'no-such-media' } }])).toThrow(SimulatorError);
    expect(add([{ msgtype: 'link', link: { title: '缺少链接' } }])).toThrow(SimulatorError);
  });
});
