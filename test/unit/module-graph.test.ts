// The module graph of server/modules (issue 30): no module cycles, no import against the declared
// layers (scripts/module-graph.ts says what each layer is), and server/http and server/wecom import
// no module. `npx tsx scripts/module-graph.ts` prints the graph and the raw-SQL table references.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LAYERS, againstLayers, cycleThrough, cycles, moduleGraph, moduleImports, MODULES_DIR } from '../../scripts/module-graph';

describe('module graph', () => {
  const imports = moduleImports();
  const graph = moduleGraph(imports);

  it('reads the imports of every module', () => {
    expect(graph.size).toBeGreaterThan(20);
    expect(imports.length).toBeGreaterThan(100);
  });

  it('finds a cycle when there is one', () => {
    const tangled = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(tangled)).toEqual([['a', 'b', 'c']]);
    expect(cycleThrough(tangled, 'a', ['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'a']);
  });

  it('has no cycle between modules', () => {
    const found = cycles(graph).map((component) => cycleThrough(graph, component[0]!, component).join(' → '));
    expect(found).toEqual([]);
  });

  it('places every module in one layer', () => {
    const layered = LAYERS.flatMap((layer) => layer.modules);
    expect(new Set(layered).size).toBe(layered.length);
    expect([...graph.keys()].filter((module) => !layered.includes(module))).toEqual([]);
  });

  it('imports nothing from a higher layer', () => {
    expect(againstLayers(imports).map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });

  it('keeps server/http and server/wecom free of modules', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : name.endsWith('.ts') ? [join(dir, name)] : []));
    const server = resolve(MODULES_DIR, '..');
    const offending = [...files(join(server, 'http')), ...files(join(server, 'wecom'))].filter((file) =>
      /from '[^']*\/modules\//.test(readFileSync(file, 'utf8')),
    );
    expect(offending).toEqual([]);
  });
});
