import { migration as kvCache } from './0001_kv_cache';
import { migration as orgAuth } from './0002_org_auth';
import { migration as wecomEvents } from './0003_wecom_events_mirror';
import { migration as dictionaries } from './0004_dictionaries';
import { migration as customers } from './0005_customers';
import { migration as crmProcess } from './0006_crm_process';
import { migration as matching } from './0007_matching';
import { migration as readPaths } from './0008_read_paths';
import { migration as importJobs } from './0009_import_jobs';
import { migration as ownerChanges } from './0010_customer_owner_changes';
import { migration as notifications } from './0011_notifications';
import { migration as followUpRollup } from './0012_follow_up_rollup';
import { migration as sessions } from './0013_sessions';
import { migration as uniqueIdentities } from './0014_unique_identities';
import { migration as syncRunNotes } from './0015_sync_run_notes';
import { migration as jobs } from './0016_jobs';
import { migration as queueColumns } from './0017_queue_columns';
import { migration as customerTransfers } from './0018_customer_transfers';
import { migration as engagement } from './0019_engagement';
import { migration as departmentRoles } from './0020_department_roles';
import { migration as suitability } from './0021_suitability';
import { migration as customerCounts } from './0022_customer_counts';
import { migration as rateLimitPoints } from './0024_rate_limit_points';
import { migration as orderedJobs } from './0025_ordered_jobs';
import { migration as roleGrantOrigin } from './0026_role_grant_origin';
import { migration as tradeLedger } from './0027_trade_ledger';
import { migration as customerKyc } from './0028_customer_kyc';
import { migration as navAccumulated } from './0029_nav_accumulated';
import { migration as approvals } from './0030_approvals';
import { migration as compliance } from './0031_compliance';
import { migration as riskQuestionnaire } from './0032_risk_questionnaire';
import { migration as investorProtection } from './0033_investor_protection';
import { migration as massMessages } from './0034_mass_messages';
import { migration as opportunities } from './0036_opportunities';
import { migration as customerPool } from './0037_customer_pool';
import { migration as massMessageGroups } from './0038_mass_message_groups';
import { migration as followRelationTags } from './0039_follow_relation_tags';
import { migration as customerNameInitials } from './0042_customer_name_initials';
import type { Migration } from './types';

/**
 * Every migration, in order. Listed explicitly (not globbed) so the same list works under tsx,
 * jest and any bundler. Append only; never edit a released migration.
 */
export const migrations: readonly Migration[] = [
  kvCache,
  orgAuth,
  wecomEvents,
  dictionaries,
  customers,
  crmProcess,
  matching,
  readPaths,
  importJobs,
  ownerChanges,
  notifications,
  followUpRollup,
  sessions,
  uniqueIdentities,
  syncRunNotes,
  jobs,
  queueColumns,
  customerTransfers,
  engagement,
  departmentRoles,
  suitability,
  customerCounts,
  rateLimitPoints,
  orderedJobs,
  roleGrantOrigin,
  tradeLedger,
  customerKyc,
  navAccumulated,
  approvals,
  compliance,
  riskQuestionnaire,
  investorProtection,
  massMessages,
  opportunities,
  customerPool,
  massMessageGroups,
  followRelationTags,
  customerNameInitials,
];
