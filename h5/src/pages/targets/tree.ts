/**
 * The target sheet of one period and metric as a tree — departments (in the caller's scope, by
 * parent) with the people whose main department they are — and the parent ≥ children check: a
 * department's target should not be below what its subdepartments and people add up to. A
 * subdepartment without a target of its own counts with its own children's sum.
 */
import type { DepartmentOption } from '@shared/org';
import type { TargetView } from '@shared/targets';

export interface TreePerson {
  id: number;
  name: string;
  departmentId: number | null;
}

export interface TreeRow {
  kind: 'department' | 'user';
  id: number;
  name: string;
  depth: number;
  target: TargetView | null;
  /** Departments: what the subdepartments and people under it add up to (null when none has a target). */
  childrenSum: number | null;
}

export interface TargetWarning {
  departmentId: number;
  text: string;
}

const key = (kind: 'department' | 'user', id: number) => `${kind}:${id}`;

export class TargetTree {
  private readonly byScope = new Map<string, TargetView>();
  private readonly children = new Map<number | null, DepartmentOption[]>();
  private readonly members = new Map<number, TreePerson[]>();
  private readonly departmentIds: Set<number>;

  constructor(
    readonly departments: DepartmentOption[],
    readonly people: TreePerson[],
    targets: TargetView[],
  ) {
    for (const t of targets) this.byScope.set(key(t.scopeType, t.scope.id), t);
    this.departmentIds = new Set(departments.map((d) => d.id));
    for (const d of departments) {
      // A department whose parent is outside the scope is a root of the caller's tree.
      const parent = d.parentId !== null && this.departmentIds.has(d.parentId) ? d.parentId : null;
      this.children.set(parent, [...(this.children.get(parent) ?? []), d]);
    }
    for (const p of people) {
      if (p.departmentId === null || !this.departmentIds.has(p.departmentId)) continue;
      this.members.set(p.departmentId, [...(this.members.get(p.departmentId) ?? []), p]);
    }
  }

  target(kind: 'department' | 'user', id: number): TargetView | null {
    return this.byScope.get(key(kind, id)) ?? null;
  }

  /** What a department's subdepartments and people add up to; null when none of them has a target. */
  childrenSum(departmentId: number, override?: { kind: 'department' | 'user'; id: number; value: number | null }): number | null {
    const valueOf = (kind: 'department' | 'user', id: number) =>
      override && override.kind === kind && override.id === id ? override.value : (this.target(kind, id)?.value ?? null);
    let sum: number | null = null;
    const add = (v: number | null) => {
      if (v !== null) sum = (sum ?? 0) + v;
    };
    for (const child of this.children.get(departmentId) ?? []) add(valueOf('department', child.id) ?? this.childrenSum(child.id, override));
    for (const person of this.members.get(departmentId) ?? []) add(valueOf('user', person.id));
    return sum;
  }

  /** The department a person or department sits under (null at the top of the caller's tree). */
  parentOf(kind: 'department' | 'user', id: number): number | null {
    if (kind === 'user') {
      const d = this.people.find((p) => p.id === id)?.departmentId ?? null;
      return d !== null && this.departmentIds.has(d) ? d : null;
    }
    const parent = this.departments.find((d) => d.id === id)?.parentId ?? null;
    return parent !== null && this.departmentIds.has(parent) ? parent : null;
  }

  /** Departments, depth first, each followed by its people. */
  rows(): TreeRow[] {
    const out: TreeRow[] = [];
    const walk = (parent: number | null, depth: number) => {
      for (const d of this.children.get(parent) ?? []) {
        out.push({ kind: 'department', id: d.id, name: d.name, depth, target: this.target('department', d.id), childrenSum: this.childrenSum(d.id) });
        for (const p of this.members.get(d.id) ?? [])
          out.push({ kind: 'user', id: p.id, name: p.name, depth: depth + 1, target: this.target('user', p.id), childrenSum: null });
        walk(d.id, depth + 1);
      }
    };
    walk(null, 0);
    return out;
  }

  /** Targets of people and departments the tree does not show (outside the pickers: a colleague who left). */
  strays(): TargetView[] {
    const shown = new Set([
      ...this.departments.map((d) => key('department', d.id)),
      ...this.people.filter((p) => p.departmentId !== null && this.departmentIds.has(p.departmentId)).map((p) => key('user', p.id)),
    ]);
    return [...this.byScope.entries()].filter(([k]) => !shown.has(k)).map(([, t]) => t);
  }

  /** Every department whose target is below its children's sum. */
  warnings(describe: (department: string, target: number, sum: number) => string): TargetWarning[] {
    const out: TargetWarning[] = [];
    for (const d of this.departments) {
      const own = this.target('department', d.id);
      const sum = this.childrenSum(d.id);
      if (own && sum !== null && own.value < sum) out.push({ departmentId: d.id, text: describe(d.name, own.value, sum) });
    }
    return out;
  }

  /**
   * What setting `value` on (kind, id) would break: its own children's sum above it (a
   * department), or the nearest parent with a target going below its new children's sum.
   */
  checkChange(kind: 'department' | 'user', id: number, value: number, describe: (department: string, target: number, sum: number) => string): string[] {
    const problems: string[] = [];
    const name = (departmentId: number) => this.departments.find((d) => d.id === departmentId)?.name ?? '';
    if (kind === 'department') {
      const sum = this.childrenSum(id);
      if (sum !== null && value < sum) problems.push(describe(name(id), value, sum));
    }
    // Up the tree: the first department with a target of its own must cover the change (an
    // untargeted one passes its children's sum, the change included, further up).
    const override = { kind, id, value };
    for (let parent = this.parentOf(kind, id); parent !== null; parent = this.parentOf('department', parent)) {
      const own = this.target('department', parent);
      if (!own) continue;
      const sum = this.childrenSum(parent, override);
      if (sum !== null && own.value < sum) problems.push(describe(name(parent), own.value, sum));
      break;
    }
    return problems;
  }
}
