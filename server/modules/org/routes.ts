import Router from '@koa/router';
import { QueryTypes, type Sequelize } from 'sequelize';
import { sqlList } from '../../db/dialect';
import { callerOf, requireUser } from '../../http/auth';

/** The departments a picker may offer: those inside the caller's data scope (all for `all`). */
export function orgRoutes(deps: { sequelize: Sequelize }): Router {
  const { sequelize } = deps;
  const router = new Router({ prefix: '/api/org' });

  router.get('/departments', requireUser, async (ctx) => {
    const { access } = callerOf(ctx);
    const ids = access.dataScope === 'all' ? null : access.dataScope === 'self' ? access.departmentIds : access.scopeDepartmentIds;
    const rows =
      ids === null
        ? await sequelize.query<{ id: number; name: string; parent_id: number | null }>('SELECT id, name, parent_id FROM departments WHERE deleted_at IS NULL ORDER BY sort_order DESC, id', { type: QueryTypes.SELECT })
        : ids.length
          ? await sequelize.query<{ id: number; name: string; parent_id: number | null }>(
              `SELECT id, name, parent_id FROM departments WHERE deleted_at IS NULL AND id IN (${sqlList(ids)}) ORDER BY sort_order DESC, id`,
              { replacements: [...ids], type: QueryTypes.SELECT },
            )
          : [];
    ctx.body = { items: rows.map((r) => ({ id: Number(r.id), name: r.name, parentId: r.parent_id === null ? null : Number(r.parent_id) })) };
  });
  return router;
}
