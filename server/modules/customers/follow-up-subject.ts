/**
 * A customer as the subject of follow-ups: the follow-ups module reads and writes them for any
 * customer the caller may see. Here, in the customer core, because the record page, the merge, the
 * import of history and the sidebar all use it.
 */
import { customerFollowUps } from '../follow-ups/service';
import { loadVisibleCustomer } from './service';

export const customerFollowUpSubject = customerFollowUps(loadVisibleCustomer);
