export type SyncKind = 'org' | 'external_contacts';
/** `partial`: finished, but some of the work could not be done (the notes say what and why). */
export type SyncStatus = 'running' | 'succeeded' | 'partial' | 'failed';

/** A sync run as the admin API reports it (`/api/admin/sync/{org,external-contacts}`). */
export interface SyncRunJson {
  id: number;
  kind: SyncKind;
  status: SyncStatus;
  startedBy: number | null;
  progress: number;
  phase: string | null;
  counts: { created: number; updated: number; unchanged: number; left: number };
  error: string | null;
  /** What the admin should know: WeCom rules worked around and what to configure (Chinese). */
  notes: string[];
  details: Record<string, number>;
  startedAt: string;
  finishedAt: string | null;
}
