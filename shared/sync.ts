/** A sync run as the admin API reports it (`/api/admin/sync/{org,external-contacts}`). */
export interface SyncRunJson {
  id: number;
  kind: 'org' | 'external_contacts';
  status: 'running' | 'succeeded' | 'failed';
  startedBy: number | null;
  progress: number;
  phase: string | null;
  counts: { created: number; updated: number; unchanged: number; left: number };
  error: string | null;
  startedAt: string;
  finishedAt: string | null;
}
