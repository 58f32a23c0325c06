/** Search functions for the SearchPickerSheet: products, partners and customers as picker rows. */
import type { ProductView } from '@shared/products';
import { PRODUCT_STATUSES } from '@shared/products';
import { customersApi } from '@/api/customers';
import { pickerApi } from '@/api/sales';
import type { SearchSheetWords } from '@/components/kit/SearchSheet.vue';

/** One row of a picker: what it is, a second line, and an optional tag (a product's status). */
export interface PickerOption {
  id: number;
  title: string;
  label?: string;
  tag?: { text: string; type: 'primary' | 'success' | 'warning' | 'danger' | 'default' };
  disabled?: boolean;
}

/** What each picker's search box and empty list say. */
export const PICKER_WORDS = {
  product: { search: '搜索产品名称或代码', empty: '没有找到产品' },
  partner: { search: '搜索机构名称', empty: '没有可选的代销机构' },
  customer: { search: '搜索姓名、拼音首字母、手机号、机构', empty: '没有找到客户' },
} satisfies Record<string, SearchSheetWords>;

type Label = (type: 'product_category', code: string) => string;

/**
 * Products by name or code; `forBuy`: a product that has been wound up (已清盘) can't be bought;
 * `aboveLevel`: marks a product above the customer's risk level (高于客户风险等级) before it is picked.
 */
export function productSearch(label: Label, options: { forBuy?: boolean; aboveLevel?: (riskLevel: string) => boolean } = {}) {
  return async (keyword: string): Promise<PickerOption[]> =>
    (await pickerApi.products(keyword)).items.map((p: ProductView) => ({
      id: p.id,
      title: p.name,
      label: [p.code, label('product_category', p.category), p.riskLevel].filter(Boolean).join(' · '),
      tag:
        p.status !== 'on_sale'
          ? { text: PRODUCT_STATUSES[p.status], type: p.status === 'closed' ? 'danger' : 'warning' }
          : options.aboveLevel?.(p.riskLevel)
            ? { text: '高于客户风险等级', type: 'danger' }
            : undefined,
      disabled: options.forBuy && p.status === 'closed',
    }));
}

/** Consignment partners the caller may see. */
export async function partnerSearch(keyword: string): Promise<PickerOption[]> {
  return (await pickerApi.partners(keyword)).items.map((p) => ({ id: p.id, title: p.name, label: p.contactName ?? undefined }));
}

/** The caller's customers by name, phone or institution. */
export async function customerSearch(keyword: string): Promise<PickerOption[]> {
  return (await customersApi.list({ keyword: keyword || undefined }, 1)).items.map((c) => ({
    id: c.id,
    title: c.name,
    label: [c.institution !== c.name ? c.institution : null, c.phone].filter(Boolean).join(' · ') || undefined,
  }));
}

/** The partner and customer pickers as a SearchPickerSheet takes them (`v-bind`): title, words, search, testid. */
export const PICKERS = {
  partner: { title: '选择代销机构', words: PICKER_WORDS.partner, search: partnerSearch, testid: 'partner' },
  customer: { title: '选择客户', words: PICKER_WORDS.customer, search: customerSearch, testid: 'customer' },
};
