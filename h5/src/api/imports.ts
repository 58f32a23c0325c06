import type { ImportJobView, ImportKind, ImportMode } from '@shared/imports';
import { api } from './client';

export const importsApi = {
  /** Uploads the file and starts a job (a dry run unless `dryRun` is false). */
  start: (kind: ImportKind, mode: ImportMode, dryRun: boolean, file: File) => {
    const form = new FormData();
    form.append('file', file, file.name);
    return api.upload<ImportJobView>('/api/imports', form, { kind, mode, dryRun });
  },
  job: (id: number) => api.get<ImportJobView>(`/api/imports/${id}`),
  recent: () => api.get<{ items: ImportJobView[] }>('/api/imports'),
  commit: (id: number) => api.post<ImportJobView>(`/api/imports/${id}/commit`),
  resume: (id: number) => api.post<ImportJobView>(`/api/imports/${id}/resume`),
  templateUrl: (kind: ImportKind) => `/api/imports/templates/${kind}.xlsx`,
  errorReportUrl: (id: number) => `/api/imports/${id}/errors.xlsx`,
};
