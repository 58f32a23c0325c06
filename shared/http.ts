/** Shapes of the HTTP contract shared by the server and the H5 (server/README.md#http-contract). */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `contacts.0.phone`. */
  field: string;
  message: string;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
  };
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (!value || typeof value !== 'object') return false;
  const error = (value as { error?: unknown }).error;
  return (
    !!error &&
    typeof error === 'object' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type WecomMode = 'simulator' | 'live';

export interface MetaResponse {
  product: 'wecom-crm';
  version: string;
  wecomMode: WecomMode;
}
