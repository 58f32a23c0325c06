/**
 * Who a WeCom call is made for. The HTTP edge runs each request of a logged-in user inside
 * `actingFor(person)`, so a person-facing client (`WecomClient.forPeople`)
 * can charge every call to that person's budget wherever in a module the call is made — one seam
 * instead of a budget threaded through every route and service. Background work (jobs, the event
 * worker, syncs, welcome messages) uses the process's own client, which charges nobody — except a
 * job that carries out one person's change for them (the grade tag of a level they set), which runs
 * `actingFor` that person on the person-facing client.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface ActingPerson {
  /** Stable key of the budget: `user:<id>`. */
  readonly key: string;
}

const acting = new AsyncLocalStorage<ActingPerson>();

/** The budget key of a CRM user: their requests, and the WeCom work their changes queue (engagement's grade tag). */
export const personOf = (userId: number): ActingPerson => ({ key: `user:${userId}` });

/** Runs `fn` (a request's handling, or a job a person's change queued) on behalf of `person`. */
export function actingFor<T>(person: ActingPerson, fn: () => T): T {
  return acting.run(person, fn);
}

/** The person the current request acts for; undefined outside a request. */
export function actingPerson(): ActingPerson | undefined {
  return acting.getStore();
}
