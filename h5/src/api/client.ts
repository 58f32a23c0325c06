import { isApiErrorBody, type FieldIssue } from '@shared/http';

/** An error answered by our server (the shape of server/README.md#http-contract) or a network failure (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Field-level validation issues, keyed by field, for showing next to form inputs. */
  get fieldErrors(): Record<string, string> {
    if (!Array.isArray(this.details)) return {};
    const out: Record<string, string> = {};
    for (const issue of this.details as FieldIssue[]) out[issue.field] ??= issue.message;
    return out;
  }
}

/**
 * What to show the user for a failure: our server's own Chinese message when it answered one,
 * `fallback` (the page's Chinese words for what failed) for anything else. The one place the H5
 * turns a caught error into text.
 */
export function errorMessage(err: unknown, fallback: string): string {
  return err instanceof ApiError ? err.message : fallback;
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
}

let onUnauthorized: () => void = () => {};

/** Set once at start-up: what to do when the session is missing (start the OAuth login). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    // A FormData body (an upload) goes as multipart; the browser writes its content type.
    const form = options.body instanceof FormData;
    res = await fetch(withQuery(path, options.query), {
      method,
      credentials: 'same-origin',
      headers: options.body === undefined || form ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: options.body === undefined ? undefined : form ? (options.body as FormData) : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试');
  }

  return readResponse<T>(res);
}

/** The body of an answer, or the ApiError it carries (a 401 starts the login first). */
export async function readResponse<T>(res: Response): Promise<T> {
  const payload: unknown = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (res.ok) return payload as T;

  if (res.status === 401) onUnauthorized();
  throw errorOf(res.status, payload);
}

/** An error answer's body (the shape of server/README.md#http-contract) as an ApiError. */
export function errorOf(status: number, payload: unknown): ApiError {
  if (isApiErrorBody(payload)) return new ApiError(status, payload.error.code, payload.error.message, payload.error.details);
  return new ApiError(status, 'http_error', `服务器返回错误（${status}），请稍后重试`);
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, form: FormData, query?: Query) => request<T>('POST', path, { body: form, query }),
};

/** `path` with the non-empty query values appended (also for download links). */
export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}
