/** Shapes of the HTTP contract shared by the server and the H5 (server/README.md#http-contract). */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `contacts.0.phone`. */
  field: string;
  message: string;
}

/**
 * Every machine code an error answer carries (`error.code`), so a typo in a service does not
 * compile. The H5 reads a few (`duplicate`, `suitability_mismatch`); people read only `message`.
 */
export const ERROR_CODES = [
  // The kinds' own codes (server/errors.ts).
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'duplicate',
  'payload_too_large',
  'too_many_requests',
  'unsupported_media_type',
  // What a refusal or a clash is about.
  'account_inactive',
  'beyond_own_permissions',
  'co_follow_up_off',
  'cross_site',
  'invalid_code',
  'no_follow_relation',
  'risk_profile_forbidden',
  // Follow-ups (shared/follow-ups.ts): another's entry, or one's own after the correction window.
  'follow_up_not_author',
  'follow_up_edit_window',
  // An exclusive tag group (客户等级): one tag of it per customer.
  'exclusive_tag_group',
  'suitability_mismatch',
  'suitability_override_forbidden',
  // 合格投资者 (shared/qualification.ts, trades/ledger.ts assertQualified).
  'qualification_required',
  'below_minimum_subscription',
  // 冷静期 and 回访 (server/modules/trades/cooling-off.ts).
  'callback_by_seller',
  'recording_required',
  // 风险测评问卷 links (server/modules/risk-questionnaire).
  'questionnaire_link_invalid',
  'questionnaire_link_expired',
  'questionnaire_link_used',
  // 审批 (server/modules/approvals).
  'no_approver',
  'approval_own_request',
  'approval_not_your_step',
  'approval_closed',
  'approval_stale',
  // Customer-data exports (server/modules/imports/export-desk.ts).
  'export_needs_approval',
  'export_no_approval_needed',
  // 客户群发: a product message cannot go to 客户群 (their risk levels cannot be checked).
  'mass_group_product',
  'export_not_ready',
  'export_expired',
  'tag_not_editable',
  'not_ready',
  // A login whose OAuth state did not hold (server/modules/auth/oauth-state.ts).
  'state_invalid',
  'state_expired',
  'state_used',
  'state_browser_mismatch',
  // A callback WeCom's signature or encryption did not pass (server/wecom/callback-crypto.ts).
  'callback_missing_parameter',
  'callback_bad_signature',
  'callback_undecryptable',
  'callback_wrong_receiver',
  'callback_malformed',
  // WeCom failing (server/wecom/errors.ts, mapped at the edge).
  'wecom_busy',
  'wecom_misconfigured',
  'wecom_gone',
  'wecom_timeout',
  'wecom_failed',
  // Statuses raised by Koa and its body parsers, and the unknown.
  'bad_request',
  'method_not_allowed',
  'unprocessable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
  };
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (!value || typeof value !== 'object') return false;
  const error = (value as { error?: unknown }).error;
  return (
    !!error &&
    typeof error === 'object' &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string'
  );
}

export interface PageOf<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

export type WecomMode = 'simulator' | 'live';

export interface MetaResponse {
  product: 'wecom-crm';
  version: string;
  wecomMode: WecomMode;
}
