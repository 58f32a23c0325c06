// Every audited action and record kind the server writes reads in Chinese (issue 32: no
// 「其他操作（sale.suitability_override）」 in 合规's log): the test reads every `action: …` and
// `entity: …` the server's code writes and fails on one shared/audit.ts does not name. Actions
// built from a template (`trade.${kind}`) are expanded by the table below; a template it does not
// know fails too, so a new one is labelled (and added here) when it is written.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { AUDIT_ACTION_LABELS, AUDIT_ENTITY_LABELS, auditActionLabel, auditEntityLabel, auditSummaryText } from '@shared/audit';
import { IMPORT_KINDS } from '@shared/imports';
import { TRADE_KINDS } from '@shared/ledger';
import { SYNC_LABELS } from '../../server/modules/sync-runs/runner';

const SERVER = resolve(__dirname, '../../server');

/** The actions each template of the server's code writes. */
const TEMPLATES: Record<string, string[]> = {
  'trade.${trade.kind}': Object.keys(TRADE_KINDS).map((k) => `trade.${k}`),
  'sync.${kind}.start': Object.keys(SYNC_LABELS).map((k) => `sync.${k}.start`),
  'import.${job.kind}': Object.keys(IMPORT_KINDS).map((k) => `import.${k}`),
  "${kind === 'customers' ? 'customer' : 'partner'}.export": ['customer.export', 'partner.export'],
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'migrations' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `{file, code}` of every literal written as the value of `key:` in the server's code (a ternary names two). */
function written(key: 'action' | 'entity'): { file: string; code: string; template: boolean }[] {
  const found: { file: string; code: string; template: boolean }[] = [];
  for (const path of sources(SERVER)) {
    const file = relative(SERVER, path);
    for (const [, line] of readFileSync(path, 'utf8').matchAll(new RegExp(`\\b${key}:\\s*([^\\n]+)`, 'g'))) {
      // The value alone: up to the next property of the object, without the literals it is compared with.
      const value = line!.split(/,\s*[A-Za-z_]+\??:/)[0]!;
      const templates = /`([^`]*\$\{[^`]*)`/g;
      for (const [, code] of value.matchAll(templates)) found.push({ file, code: code!, template: true });
      const literals = value.replace(templates, '').replace(/[!=]==?\s*'[^']*'/g, '');
      for (const [, code] of literals.matchAll(/'([a-z_]+(?:\.[a-z_]+)*)'/g)) found.push({ file, code: code!, template: false });
    }
  }
  return found;
}

describe('audit labels', () => {
  const actions = written('action').filter((a) => a.template || a.code.includes('.'));

  it('finds the actions the server writes, literal and built', () => {
    expect(actions.filter((a) => !a.template).length).toBeGreaterThan(60);
    expect(actions.some((a) => a.code === 'suitability.override')).toBe(true);
    expect(actions.filter((a) => a.template).map((a) => a.code)).toEqual(expect.arrayContaining(Object.keys(TEMPLATES)));
  });

  it('names every literal action in Chinese', () => {
    const unnamed = actions.filter((a) => !a.template && !AUDIT_ACTION_LABELS[a.code]).map((a) => `${a.file}: ${a.code}`);
    expect(unnamed).toEqual([]);
  });

  it('knows every action built from a template, and names all it builds', () => {
    const unknown = actions.filter((a) => a.template && !TEMPLATES[a.code]).map((a) => `${a.file}: \`${a.code}\``);
    const unnamed = Object.values(TEMPLATES)
      .flat()
      .filter((code) => !AUDIT_ACTION_LABELS[code]);
    expect(unknown).toEqual([]);
    expect(unnamed).toEqual([]);
  });

  it('names every record kind the server writes in Chinese', () => {
    const unnamed = written('entity')
      .filter((e) => !e.template && !AUDIT_ENTITY_LABELS[e.code])
      .map((e) => `${e.file}: ${e.code}`);
    expect(unnamed).toEqual([]);
  });

  it('never shows a code for an action or a record kind nobody named', () => {
    expect(auditActionLabel('sale.suitability_override')).toBe('适当性例外');
    expect(auditActionLabel('some.future_action')).toBe('其他操作');
    expect(auditEntityLabel('contact_way')).toBe('渠道活码');
    expect(auditEntityLabel('something_new')).toBe('其他记录');
  });

  it('words older summaries that carried codes in Chinese', () => {
    expect(auditSummaryText({ action: 'welcome.save', summary: '保存欢迎语：contact_way:2', diff: null })).toBe('保存欢迎语：渠道活码 #2');
    expect(auditSummaryText({ action: 'welcome.save', summary: '保存欢迎语：corp', diff: null })).toBe('保存欢迎语：全公司');
    expect(auditSummaryText({ action: 'user.roles', summary: '设置用户角色：manager、compliance', diff: null })).toBe('设置用户角色：部门经理、合规');
    expect(auditSummaryText({ action: 'settings.update', summary: '修改企业设置：exportApprovalThreshold', diff: { exportApprovalThreshold: 20 } })).toBe(
      '修改企业设置：「导出需审批的条数」改为 20',
    );
  });
});
