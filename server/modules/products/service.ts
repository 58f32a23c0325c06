/** The product catalogue: readable by every rep, maintained by holders of `product.manage`. */
import { Op, UniqueConstraintError, type Sequelize, type Transaction, type WhereOptions } from 'sequelize';
import type { PageOf } from '@shared/http';
import type { ProductInput, ProductPatch, ProductStatus, ProductView } from '@shared/products';
import { conflict, notFound } from '../../errors';
import { pageWindow, type PageRequest } from '../../db/paging';
import { containsWhere } from '../../db/dialect';
import { audit, type Actor } from '../audit/service';
import { assertDictionaryValues } from '../dictionaries/service';
import { productModels, type ProductRow } from './models';

export function productView(r: ProductRow): ProductView {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    category: r.category,
    riskLevel: r.risk_level,
    status: r.status,
    issuer: r.issuer,
    description: r.description,
  };
}

export async function loadProduct(sequelize: Sequelize, id: number, transaction?: Transaction): Promise<ProductRow> {
  const row = (await productModels(sequelize).Product.findByPk(id, { transaction }))?.get();
  if (!row) throw notFound('产品不存在');
  return row;
}

export interface ProductListQuery extends PageRequest {
  keyword?: string;
  category?: string;
  status?: ProductStatus;
}

export async function listProducts(sequelize: Sequelize, query: ProductListQuery): Promise<PageOf<ProductView>> {
  const and: WhereOptions<ProductRow>[] = [];
  if (query.keyword) and.push({ [Op.or]: [containsWhere(sequelize, 'name', query.keyword), containsWhere(sequelize, 'code', query.keyword)] });
  if (query.category) and.push({ category: query.category });
  if (query.status) and.push({ status: query.status });
  const { rows, count } = await productModels(sequelize).Product.findAndCountAll({ where: { [Op.and]: and }, order: [['code', 'ASC']], ...pageWindow(query) });
  return { items: rows.map((r) => productView(r.get())), total: count, page: query.page, pageSize: query.pageSize };
}

export async function getProduct(sequelize: Sequelize, id: number): Promise<ProductView> {
  return productView(await loadProduct(sequelize, id));
}

const duplicateCode = (code: string) => conflict(`产品代码 ${code} 已存在`, { field: 'code' });

export async function createProduct(sequelize: Sequelize, actor: Actor, input: ProductInput): Promise<ProductView> {
  await assertDictionaryValues(sequelize, [{ field: 'category', type: 'product_category', value: input.category }]);
  try {
    const row = await sequelize.transaction(async (transaction) => {
      const created = await productModels(sequelize).Product.create(
        {
          code: input.code,
          name: input.name,
          category: input.category,
          risk_level: input.riskLevel,
          status: input.status,
          issuer: input.issuer ?? null,
          description: input.description ?? null,
        },
        { transaction },
      );
      await audit(
        sequelize,
        actor,
        { action: 'product.create', entity: 'product', entityId: created.get().id, summary: `新增产品 ${input.code} ${input.name}` },
        { transaction },
      );
      return created.get();
    });
    return productView(row);
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicateCode(input.code);
    throw err;
  }
}

export async function updateProduct(sequelize: Sequelize, actor: Actor, id: number, patch: ProductPatch): Promise<ProductView> {
  const current = await loadProduct(sequelize, id);
  await assertDictionaryValues(sequelize, [{ field: 'category', type: 'product_category', value: patch.category, previous: current.category }]);
  const changes: Partial<ProductRow> = {};
  if (patch.code !== undefined) changes.code = patch.code;
  if (patch.name !== undefined) changes.name = patch.name;
  if (patch.category !== undefined) changes.category = patch.category;
  if (patch.riskLevel !== undefined) changes.risk_level = patch.riskLevel;
  if (patch.status !== undefined) changes.status = patch.status;
  if (patch.issuer !== undefined) changes.issuer = patch.issuer;
  if (patch.description !== undefined) changes.description = patch.description;
  try {
    await sequelize.transaction(async (transaction) => {
      await productModels(sequelize).Product.update(changes, { where: { id }, transaction });
      await audit(
        sequelize,
        actor,
        { action: 'product.update', entity: 'product', entityId: id, summary: `修改产品 ${current.code}`, diff: changes },
        { transaction },
      );
    });
  } catch (err) {
    if (err instanceof UniqueConstraintError) throw duplicateCode(patch.code ?? current.code);
    throw err;
  }
  return getProduct(sequelize, id);
}
