/**
 * 商机漏斗与预测 on 看板 (server/README.md#opportunities-商机), in the caller's scope and optionally one
 * department's subtree, over the opportunities expected in the period:
 * - by stage: count, amount and weighted amount (amount × the stage's probability, 字典 商机阶段);
 * - conversion: of those that reached a stage (entered it or any later one, 成交 being the last),
 *   how many went further — from `opportunity_stage_changes`;
 * - the forecast by expected month: Σ amount × probability (成交 at 100 %, 输单 at 0), against the
 *   month's 销售额 target of the board's scope (a quarter's target counts a third);
 * - stale: open opportunities, whatever their date, with no stage change for N days;
 * - 成交, 输单 and the loss reasons; the same per rep.
 */
// Raw SQL on other modules' tables, on purpose: aggregates (GROUP BY over opportunities and their stage
// changes) computed by the database, like every board of this module.
import type { Sequelize } from 'sequelize';
import type { PipelineConversion, PipelineDashboard, PipelineMonth, PipelineRep, PipelineStageFigure } from '@shared/dashboard';
import { fromHundredths } from '@shared/money';
import { LOST_STAGE, WON_STAGE, isClosedStage, weightedFen } from '@shared/opportunities';
import { dateOnlyOrNull, namesById, named } from '../../db/lookup';
import { listDictionaries } from '../dictionaries/service';
import { descendantsOf, type Access } from '../roles/access';
import { listTargets } from '../targets/service';
import { filtersFor, periodRange, rows, type DashboardQuery } from './service';

export const STALE_OPPORTUNITY_DAYS = 14;

export interface PipelineQuery extends DashboardQuery {
  staleDays?: number;
}

interface Group {
  stage: string;
  expected_on: string | Date;
  owner_user_id: number;
  loss_reason: string | null;
  n: number | string;
  fen: number | string;
}

const monthsOf = (from: string, to: string) => {
  const out: string[] = [];
  for (let y = Number(from.slice(0, 4)), m = Number(from.slice(5, 7)); `${y}-${String(m).padStart(2, '0')}` <= to.slice(0, 7); m === 12 ? (y++, (m = 1)) : m++)
    out.push(`${y}-${String(m).padStart(2, '0')}`);
  return out;
};
const quarterOfMonth = (month: string) => `${month.slice(0, 4)}-Q${Math.ceil(Number(month.slice(5, 7)) / 3)}`;
const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : null);

export async function pipelineDashboard(sequelize: Sequelize, access: Access, query: PipelineQuery, now = new Date()): Promise<PipelineDashboard> {
  const period = periodRange(query.period, now);
  const staleDays = query.staleDays ?? STALE_OPPORTUNITY_DAYS;
  const filter = (await filtersFor(sequelize, access, query.departmentId))({ owner: 'o.owner_user_id', department: 'o.department_id' });
  const inPeriod = 'o.expected_on >= ? AND o.expected_on <= ?';
  const [groups, visits, [stale], dictionaries] = await Promise.all([
    rows<Group>(
      sequelize,
      `SELECT o.stage, o.expected_on, o.owner_user_id, o.loss_reason, COUNT(*) AS n, SUM(o.expected_amount_fen) AS fen
         FROM opportunities o WHERE ${inPeriod} AND ${filter.sql}
        GROUP BY o.stage, o.expected_on, o.owner_user_id, o.loss_reason`,
      [period.from, period.to, ...filter.params],
    ),
    rows<{ opportunity_id: number; to_stage: string }>(
      sequelize,
      `SELECT DISTINCT s.opportunity_id, s.to_stage FROM opportunity_stage_changes s JOIN opportunities o ON o.id = s.opportunity_id
        WHERE ${inPeriod} AND ${filter.sql}`,
      [period.from, period.to, ...filter.params],
    ),
    rows<{ n: number | string; fen: number | string | null }>(
      sequelize,
      `SELECT COUNT(*) AS n, SUM(o.expected_amount_fen) AS fen FROM opportunities o
        WHERE o.stage NOT IN (?, ?) AND o.stage_changed_at < ? AND ${filter.sql}`,
      [WON_STAGE, LOST_STAGE, new Date(now.getTime() - staleDays * 86_400_000), ...filter.params],
    ),
    listDictionaries(sequelize),
  ]);
  const stages = dictionaries.opportunity_stage;
  const probabilityOf = (code: string) => stages.find((s) => s.code === code)?.probability ?? 0;
  const labelOf = (code: string) => stages.find((s) => s.code === code)?.label ?? code;

  // By stage: every enabled stage, and any other a live opportunity is still in.
  const byStage = new Map<string, { count: number; fen: number; weighted: number }>();
  const byMonth = new Map<string, { weighted: number; open: number; won: number }>();
  const byRep = new Map<number, { open: number; openFen: number; weighted: number; won: number; wonFen: number; lost: number }>();
  const reasons = new Map<string, { count: number; fen: number }>();
  for (const g of groups) {
    const n = Number(g.n);
    const fen = Number(g.fen);
    const weighted = weightedFen(fen, probabilityOf(g.stage));
    const stage = byStage.get(g.stage) ?? { count: 0, fen: 0, weighted: 0 };
    byStage.set(g.stage, { count: stage.count + n, fen: stage.fen + fen, weighted: stage.weighted + weighted });
    const month = dateOnlyOrNull(g.expected_on)!.slice(0, 7);
    const m = byMonth.get(month) ?? { weighted: 0, open: 0, won: 0 };
    byMonth.set(month, {
      weighted: m.weighted + weighted,
      open: m.open + (isClosedStage(g.stage) ? 0 : fen),
      won: m.won + (g.stage === WON_STAGE ? fen : 0),
    });
    const rep = byRep.get(Number(g.owner_user_id)) ?? { open: 0, openFen: 0, weighted: 0, won: 0, wonFen: 0, lost: 0 };
    byRep.set(Number(g.owner_user_id), {
      open: rep.open + (isClosedStage(g.stage) ? 0 : n),
      openFen: rep.openFen + (isClosedStage(g.stage) ? 0 : fen),
      weighted: rep.weighted + weighted,
      won: rep.won + (g.stage === WON_STAGE ? n : 0),
      wonFen: rep.wonFen + (g.stage === WON_STAGE ? fen : 0),
      lost: rep.lost + (g.stage === LOST_STAGE ? n : 0),
    });
    if (g.stage === LOST_STAGE) {
      const key = g.loss_reason ?? 'other';
      const r = reasons.get(key) ?? { count: 0, fen: 0 };
      reasons.set(key, { count: r.count + n, fen: r.fen + fen });
    }
  }
  const shownStages = stages.filter((s) => s.enabled || byStage.has(s.code));
  const stageFigures: PipelineStageFigure[] = [
    ...shownStages,
    ...[...byStage.keys()].filter((code) => !stages.some((s) => s.code === code)).map((code) => ({ code, label: code, probability: 0 })),
  ].map((s) => {
    const f = byStage.get(s.code) ?? { count: 0, fen: 0, weighted: 0 };
    return {
      code: s.code,
      label: s.label,
      probability: s.probability ?? 0,
      count: f.count,
      amount: fromHundredths(f.fen),
      weighted: fromHundredths(f.weighted),
    };
  });

  // Conversion: the open stages in order, then 成交; an opportunity reached a stage if it entered it or any later one.
  const ladder = [...shownStages.filter((s) => !isClosedStage(s.code)).map((s) => s.code), WON_STAGE];
  const furthest = new Map<number, number>();
  for (const v of visits) {
    const at = ladder.indexOf(v.to_stage);
    if (at >= 0) furthest.set(Number(v.opportunity_id), Math.max(furthest.get(Number(v.opportunity_id)) ?? -1, at));
  }
  const reachedAt = (i: number) => [...furthest.values()].filter((f) => f >= i).length;
  const conversion: PipelineConversion[] = ladder.slice(0, -1).map((from, i) => {
    const reached = reachedAt(i);
    const advanced = reachedAt(i + 1);
    return { from, fromLabel: labelOf(from), to: ladder[i + 1]!, toLabel: labelOf(ladder[i + 1]!), reached, advanced, rate: percent(advanced, reached) };
  });

  const targets = await monthTargets(sequelize, access, query.departmentId, monthsOf(period.from, period.to));
  const forecast: PipelineMonth[] = monthsOf(period.from, period.to).map((month) => {
    const m = byMonth.get(month) ?? { weighted: 0, open: 0, won: 0 };
    const target = targets.get(month);
    return {
      month,
      weighted: fromHundredths(m.weighted),
      open: fromHundredths(m.open),
      won: fromHundredths(m.won),
      target: target === undefined ? null : target,
    };
  });
  const users = await namesById(sequelize, 'users', byRep.keys());
  const reasonLabels = dictionaries.opportunity_loss_reason;
  const total = (code: string) => byStage.get(code) ?? { count: 0, fen: 0 };
  return {
    period,
    stages: stageFigures,
    conversion,
    forecast,
    weighted: fromHundredths([...byMonth.values()].reduce((sum, m) => sum + m.weighted, 0)),
    stale: { days: staleDays, count: Number(stale?.n ?? 0), amount: fromHundredths(Number(stale?.fen ?? 0)) },
    won: { count: total(WON_STAGE).count, amount: fromHundredths(total(WON_STAGE).fen) },
    lost: { count: total(LOST_STAGE).count, amount: fromHundredths(total(LOST_STAGE).fen) },
    lossReasons: [...reasons]
      .map(([code, r]) => ({ code, label: reasonLabels.find((v) => v.code === code)?.label ?? code, count: r.count, amount: fromHundredths(r.fen) }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    byRep: [...byRep]
      .map(([id, r]): PipelineRep => ({
        user: named(users, id),
        open: r.open,
        openAmount: fromHundredths(r.openFen),
        weighted: fromHundredths(r.weighted),
        won: r.won,
        wonAmount: fromHundredths(r.wonFen),
        lost: r.lost,
      }))
      .sort((a, b) => b.weighted - a.weighted || a.user.id - b.user.id),
  };
}

/**
 * Each month's 销售额 target of the board's scope: the chosen department's, else — for a caller who
 * sees only themselves — their own, else the top-most department targets in view (a department whose
 * ancestor has a target of its own is inside that one, not added to it), else the people's targets
 * summed. A month without a target of its own takes a third of its quarter's.
 */
async function monthTargets(sequelize: Sequelize, access: Access, departmentId: number | undefined, months: string[]): Promise<Map<string, number>> {
  const parents = new Map(
    (await rows<{ id: number; parent_id: number | null }>(sequelize, 'SELECT id, parent_id FROM departments WHERE deleted_at IS NULL', [])).map((d) => [
      Number(d.id),
      d.parent_id === null ? null : Number(d.parent_id),
    ]),
  );
  const subtree = departmentId ? new Set(await descendantsOf(sequelize, [departmentId])) : null;
  const valueOf = async (period: string): Promise<number | null> => {
    const all = (await listTargets(sequelize, access, { period, metric: 'sales_amount' })).filter(
      (t) => !subtree || (t.departmentId !== null && subtree.has(t.departmentId)),
    );
    if (departmentId) {
      const own = all.find((t) => t.scopeType === 'department' && t.scope.id === departmentId);
      if (own) return own.value;
    }
    if (access.dataScope === 'self') return all.find((t) => t.scopeType === 'user' && t.scope.id === access.userId)?.value ?? null;
    const departments = all.filter((t) => t.scopeType === 'department');
    const withTarget = new Set(departments.map((t) => t.scope.id));
    const insideAnother = (id: number) => {
      for (let d = parents.get(id), hops = 0; d !== null && d !== undefined && hops < 64; d = parents.get(d), hops++) if (withTarget.has(d)) return true;
      return false;
    };
    const top = departments.filter((t) => !insideAnother(t.scope.id));
    const counted = top.length ? top : all.filter((t) => t.scopeType === 'user');
    return counted.length ? counted.reduce((sum, t) => sum + t.value, 0) : null;
  };
  const out = new Map<string, number>();
  const quarters = new Map<string, number | null>();
  for (const month of months) {
    const own = await valueOf(month);
    if (own !== null) {
      out.set(month, own);
      continue;
    }
    const quarter = quarterOfMonth(month);
    if (!quarters.has(quarter)) quarters.set(quarter, await valueOf(quarter));
    const q = quarters.get(quarter);
    if (q !== null && q !== undefined) out.set(month, Math.round((q / 3) * 100) / 100);
  }
  return out;
}
