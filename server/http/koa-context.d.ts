import type { Logger } from '../logger';

declare module 'koa' {
  interface DefaultContext {
    /** Request-scoped logger carrying the request id (set by the request-id middleware). */
    log: Logger;
  }
}
