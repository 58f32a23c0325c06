import { grant } from './0021_suitability';
import type { Migration } from './types';

/**
 * 合规工作台 (server/README.md#compliance-workspace-合规): the compliance role sees every pending
 * approval, the suitability ledger, exceptions with their approvals, lapsing assessments with open
 * holdings and the audit log, and exports the ledger and the log (`compliance.view`).
 */
const GRANTS: Record<string, string[]> = { compliance: ['compliance.view'] };

export const migration: Migration = {
  name: '0031_compliance',
  async up({ queryInterface: q }) {
    await grant(q, GRANTS);
  },
  async down({ queryInterface: q }) {
    await grant(q, GRANTS, true);
  },
};
