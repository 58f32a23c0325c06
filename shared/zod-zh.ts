/**
 * Validation messages in Chinese (every message a user can see is). Schemas name their own
 * messages where a field needs a specific one; everything else falls back here, then to zod's
 * zh-CN locale. Installed once by `shared/fields.ts`, which every write schema imports.
 */
import { z } from 'zod';

type Issue = Parameters<NonNullable<z.core.$ZodConfig['localeError']>>[0];

const TYPE_NAMES: Record<string, string> = {
  string: '文字',
  number: '数字',
  int: '整数',
  boolean: '是或否',
  date: '日期',
  array: '列表',
  object: '对象',
  bigint: '整数',
};

const FORMAT_NAMES: Record<string, string> = {
  email: '邮箱',
  url: '网址',
  datetime: '时间',
  date: '日期',
  time: '时间',
  uuid: 'UUID',
};

function sizeLimit(issue: Issue & { origin?: string }, bound: number | bigint, inclusive: boolean, big: boolean): string {
  const n = Number(bound);
  switch (issue.origin) {
    case 'string':
      if (!big && n === 1) return '不能为空';
      return big ? `不能超过 ${inclusive ? n : n - 1} 个字符` : `至少 ${inclusive ? n : n + 1} 个字符`;
    case 'array':
    case 'set':
      if (!big && n === 1) return '至少选择一项';
      return big ? `最多 ${inclusive ? n : n - 1} 项` : `至少 ${inclusive ? n : n + 1} 项`;
    case 'date':
      return big ? `不能晚于 ${new Date(n).toISOString().slice(0, 10)}` : `不能早于 ${new Date(n).toISOString().slice(0, 10)}`;
    default:
      if (!big && n === 0) return inclusive ? '不能小于 0' : '必须大于 0';
      return big ? (inclusive ? `不能大于 ${n}` : `必须小于 ${n}`) : inclusive ? `不能小于 ${n}` : `必须大于 ${n}`;
  }
}

export function chineseMessage(issue: Issue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return '必填';
      if (issue.input === null) return '不能为空';
      return `格式不正确，应为${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'too_big':
      return sizeLimit(issue, issue.maximum, issue.inclusive ?? true, true);
    case 'too_small':
      return sizeLimit(issue, issue.minimum, issue.inclusive ?? true, false);
    case 'invalid_format':
      return `${FORMAT_NAMES[issue.format] ?? ''}格式不正确`;
    case 'invalid_value':
      return issue.values.length === 1 ? `只能是 ${String(issue.values[0])}` : `只能是以下之一：${issue.values.map(String).join('、')}`;
    case 'unrecognized_keys':
      return `不支持的字段：${issue.keys.join('、')}`;
    case 'invalid_union':
      return '格式不正确';
    case 'not_multiple_of':
      return `必须是 ${String(issue.divisor)} 的倍数`;
    default:
      return undefined;
  }
}

const fallback = z.locales.zhCN().localeError;

export function installChineseMessages(): void {
  z.config({ localeError: (issue) => chineseMessage(issue) ?? fallback(issue) });
}
