// The module graph of server/modules (issue 30): which domain module imports which, read from the
// import declarations of every server/modules/<module>/**/*.ts (tests beside the code excluded) with
// TypeScript's own parser. A module is a folder directly under server/modules. `import type` and
// `export … from` count like any import: a cycle through types alone still ties two modules' designs
// together. Run `npx tsx scripts/module-graph.ts` to print the graph, its cycles and the imports
// against the layers; test/unit/module-graph.test.ts fails on any of them.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/** server/modules, or MODULE_GRAPH_ROOT/server/modules to measure another checkout (e.g. `git archive main` in /tmp). */
export const MODULES_DIR = resolve(process.env.MODULE_GRAPH_ROOT ?? resolve(__dirname, '..'), 'server', 'modules');

/** One import of one module by another: from which file, of which path. */
export interface ModuleImport {
  from: string;
  to: string;
  file: string;
  specifier: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The module a path under server/modules belongs to, or null outside it. */
function moduleOf(path: string): string | null {
  const rel = relative(MODULES_DIR, path);
  if (rel.startsWith('..') || rel === '') return null;
  const [first, ...rest] = rel.split(sep);
  // server/modules/x.ts (a file, not a folder) is no module.
  return first && rest.length > 0 ? first : null;
}

function importsOf(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Array<{ specifier: string; typeOnly: boolean }> = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const namedAllTypes =
        !!clause?.namedBindings && ts.isNamedImports(clause.namedBindings) && !clause.name && clause.namedBindings.elements.every((e) => e.isTypeOnly);
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || namedAllTypes });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every import from one module into another. */
export function moduleImports(): ModuleImport[] {
  const result: ModuleImport[] = [];
  for (const file of sourceFiles(MODULES_DIR)) {
    const from = moduleOf(file);
    if (!from) continue;
    for (const { specifier, typeOnly } of importsOf(file)) {
      if (!specifier.startsWith('.')) continue;
      const to = moduleOf(resolve(dirname(file), specifier));
      if (to && to !== from) result.push({ from, to, file: relative(resolve(MODULES_DIR, '..', '..'), file), specifier, typeOnly });
    }
  }
  return result;
}

export function moduleGraph(imports: ModuleImport[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const name of readdirSync(MODULES_DIR)) if (statSync(join(MODULES_DIR, name)).isDirectory()) graph.set(name, new Set());
  for (const { from, to } of imports) graph.get(from)!.add(to);
  return graph;
}

/** The strongly connected components with more than one module (Tarjan): each is a cycle, or several tangled. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) connect(v);
  return components;
}

/** One shortest path from `start` back to itself inside a component, to print a cycle as arrows. */
export function cycleThrough(graph: Map<string, Set<string>>, start: string, within: string[]): string[] {
  const allowed = new Set(within);
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of graph.get(v) ?? []) {
      if (!allowed.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
        return [...path, start];
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
}

/**
 * The layers, lowest first: a module may import modules of its own layer or below, never above.
 * Within a layer the graph must still be acyclic (the cycle check). What each layer is:
 * - foundation: what every request or sync leans on (the audit log, sessions, the system's health,
 *   the sync-run log, the WeCom mirror of contacts and its hooks, the JS-SDK signature);
 * - people: roles and data scopes, the org (employees, departments, the signed-in caller and the
 *   admin pages of roles), login;
 * - reference: what the CRM refers to (corp settings, dictionaries, products, targets) and the
 *   callback inbox that feeds the org and the mirror;
 * - crm-core: the customer and what hangs off one (contacts, follow-ups, reminders, the trade ledger
 *   and its doors holdings and sales,
 *   partners, matching to WeCom contacts);
 * - workflows: what acts across the core (a customer's record page, merge and removal; imports and
 *   exports; transfers; engagement; churn; the admin of background jobs and syncs; the approval
 *   engine, which imports no subject, and its types, which apply subjects of the core);
 * - views: read-mostly pages over everything (dashboard, sidebar, 合规's workspace).
 */
export const LAYERS: ReadonlyArray<{ name: string; modules: readonly string[] }> = [
  { name: 'foundation', modules: ['audit', 'sessions', 'system', 'sync-runs', 'wecom-jssdk', 'wecom-mirror'] },
  { name: 'people', modules: ['roles', 'org', 'auth'] },
  { name: 'reference', modules: ['settings', 'dictionaries', 'products', 'targets', 'wecom-events'] },
  { name: 'crm-core', modules: ['follow-ups', 'reminders', 'customers', 'contacts', 'trades', 'holdings', 'partners', 'sales', 'matching'] },
  {
    name: 'workflows',
    modules: [
      'customer-record',
      'imports',
      'transfers',
      'engagement',
      'churn',
      'background-jobs',
      'approvals',
      'suitability-exceptions',
      'opportunities',
      'customer-pool',
      'risk-questionnaire',
      'mass-messages',
    ],
  },
  { name: 'views', modules: ['dashboard', 'sidebar', 'compliance'] },
];

export function layerOf(module: string): number {
  return LAYERS.findIndex((layer) => layer.modules.includes(module));
}

/** Imports from a lower layer into a higher one (and modules no layer names). */
export function againstLayers(imports: ModuleImport[]): ModuleImport[] {
  return imports.filter(({ from, to }) => layerOf(to) > layerOf(from) || layerOf(from) < 0 || layerOf(to) < 0);
}

if (require.main === module) {
  const imports = moduleImports();
  const graph = moduleGraph(imports);
  for (const [from, to] of [...graph].sort()) console.log(`${from} → ${[...to].sort().join(', ') || '—'}`);
  const found = cycles(graph);
  console.log(`\n${found.length} strongly connected component(s) (cycles):`);
  for (const component of found) console.log(`  {${component.join(', ')}}: e.g. ${cycleThrough(graph, component[0]!, component).join(' → ')}`);
  const wrong = againstLayers(imports);
  const arrows = new Set(wrong.map(({ from, to }) => `${from} → ${to}`));
  console.log(`\n${wrong.length} import(s) against the layers (${arrows.size} module arrows):`);
  for (const { file, specifier, typeOnly } of wrong) console.log(`  ${file}: '${specifier}'${typeOnly ? ' (type)' : ''}`);
}

/**
 * The module that owns each table (server/README.md#where-each-table-is-written); tables of the
 * infrastructure (`jobs`, `kv_cache`, `leases`, `rate_limit_points`) belong to no module.
 */
export const TABLE_OWNERS: Readonly<Record<string, string>> = {
  departments: 'org',
  users: 'org',
  user_departments: 'org',
  roles: 'roles',
  user_roles: 'roles',
  department_default_roles: 'roles',
  sync_runs: 'sync-runs',
  oauth_states: 'auth',
  audit_logs: 'audit',
  wecom_events: 'wecom-events',
  wecom_external_contacts: 'wecom-mirror',
  wecom_follow_relations: 'wecom-mirror',
  wecom_corp_tags: 'wecom-mirror',
  wecom_group_chats: 'wecom-mirror',
  dictionaries: 'dictionaries',
  customers: 'customers',
  customer_stage_changes: 'customers',
  customer_owner_changes: 'customers',
  customer_counts: 'customers',
  customer_contacts: 'contacts',
  follow_ups: 'follow-ups',
  partner_follow_ups: 'follow-ups',
  follow_ups_monthly: 'follow-ups',
  trades: 'trades',
  holdings: 'trades',
  sales_monthly: 'trades',
  ledger_migration_report: 'trades',
  products: 'products',
  product_navs: 'products',
  consignment_partners: 'partners',
  targets: 'targets',
  customer_wecom_links: 'matching',
  customer_wecom_link_events: 'matching',
  corp_settings: 'settings',
  import_jobs: 'imports',
  import_job_errors: 'imports',
  notifications: 'reminders',
  digest_runs: 'reminders',
  reminder_notices: 'reminders',
  sessions: 'sessions',
  customer_transfers: 'transfers',
  media_files: 'engagement',
  welcome_templates: 'engagement',
  welcome_sends: 'engagement',
  contact_ways: 'engagement',
  quick_replies: 'engagement',
  crm_remark_mobiles: 'engagement',
  approval_rules: 'approvals',
  approval_requests: 'approvals',
  approval_approvers: 'approvals',
  approval_decisions: 'approvals',
};

/** A table named in raw SQL (a string or template literal with a SQL keyword) of a module's code. */
export interface TableReference {
  module: string;
  file: string;
  table: string;
  owner: string;
}

const SQL_KEYWORD = /\b(SELECT|INSERT|UPDATE|DELETE|FROM|JOIN)\b/;

/**
 * Every table name in the raw SQL of server/modules (one per occurrence), counted on the literals
 * TypeScript's scanner sees: a string or template containing SELECT/INSERT/UPDATE/DELETE/FROM/JOIN.
 * The customer-record module reads the customer's own tables as `customers` does.
 */
export function sqlTableReferences(): TableReference[] {
  const found: TableReference[] = [];
  const tables = Object.keys(TABLE_OWNERS);
  for (const file of sourceFiles(MODULES_DIR)) {
    const module = moduleOf(file);
    if (!module) continue;
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
        const text = node.getText(source);
        if (SQL_KEYWORD.test(text))
          for (const table of tables)
            for (const _ of text.matchAll(new RegExp(`(?<![\\w.])${table}(?!\\w)`, 'g')))
              found.push({ module, file: relative(resolve(MODULES_DIR, '..', '..'), file), table, owner: TABLE_OWNERS[table]! });
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

if (require.main === module) {
  const references = sqlTableReferences();
  const cross = references.filter(({ module, owner }) => module !== owner);
  console.log(`\n${references.length} table references in raw SQL, ${cross.length} of them to another module's table:`);
  const byArrow = new Map<string, number>();
  for (const { module, owner, table } of cross) byArrow.set(`${module} → ${owner} (${table})`, (byArrow.get(`${module} → ${owner} (${table})`) ?? 0) + 1);
  for (const [arrow, count] of [...byArrow].sort()) console.log(`  ${arrow}: ${count}`);
}
