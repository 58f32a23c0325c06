import type { MyPeriod } from '@shared/dashboard';
import type { UpcomingDates } from '@shared/notifications';
import { api } from './client';

/** The workbench's own figures: 我的本月 and 近期到期 (assessments, maturing holdings). */
export const workbenchApi = {
  mine: (period: string) => api.get<MyPeriod>('/api/dashboard/mine', { period }),
  upcoming: () => api.get<UpcomingDates>('/api/reminders/upcoming'),
};
