/**
 * DEV TOOL — the WeCom simulator's own admin API (same origin, under /__wecom), used only when
 * `/api/meta` says the server runs the simulator. Nothing here exists against a live corp.
 */
import { api } from './client';

export const simulatorApi = {
  /** A made-up customer scans a 渠道活码 and adds one of its members (the add event carries its state). */
  scanContactWay: (configId: string, contact: { external_userid: string; name: string; type: 1 | 2 }) =>
    api.post<{ userid: string; name: string }>(`/__wecom/admin/contact-ways/${encodeURIComponent(configId)}/scan`, { contact }),
};
