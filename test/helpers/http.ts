import { isApiErrorBody, type ApiErrorBody } from '@shared/http';

/** The parsed JSON body of a response, typed by the caller. */
export async function bodyOf<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/** The `error` object of an error response; fails the test if the body is not the shape of server/README.md#http-contract. */
export async function errorOf(res: Response): Promise<ApiErrorBody['error']> {
  const body: unknown = await res.json();
  if (!isApiErrorBody(body)) throw new Error(`not an error body: ${JSON.stringify(body)}`);
  return body.error;
}
