import type { Migration } from './types';

/**
 * A customer's latest live follow-ups (the sidebar card's, newest first, a few) as an index range
 * read backwards: `WHERE customer_id = ? AND deleted_at IS NULL ORDER BY followed_at DESC, id DESC
 * LIMIT n` needs no row lookup to filter and no sort (issue 37). `follow_ups_customer_time` stays:
 * the customer's pages read its follow-ups deleted or not by time.
 */
export const migration: Migration = {
  name: '0040_follow_ups_latest',
  async up({ queryInterface: q }) {
    await q.addIndex('follow_ups', ['customer_id', 'deleted_at', 'followed_at', 'id'], { name: 'follow_ups_customer_latest' });
  },
  async down({ queryInterface: q }) {
    await q.removeIndex('follow_ups', 'follow_ups_customer_latest');
  },
};
