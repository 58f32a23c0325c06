import { DataTypes } from 'sequelize';
import type { Migration } from './types';

/**
 * `wecom_follow_relation_tags`: each follow relation's `tag_ids` (a JSON array) as one row per
 * tag, so the sidebar card reads a relation's tags as an index range (its key's prefix) instead of
 * unnesting JSON and sorting the card's head by tag on every request (issue 37). `tag_ids` stays
 * what the relation says; this table follows it, written only by wecom-mirror's
 * `writeRelationTags` in the transaction that writes `tag_ids`. A relation that ends keeps its
 * rows, as it keeps `tag_ids` (the card shows a lost contact's tags). No timestamps: the rows
 * are derived, their relation's `updated_at` tells when they changed. Existing relations are
 * backfilled here.
 */
export const migration: Migration = {
  name: '0039_follow_relation_tags',
  async up({ queryInterface: q, sequelize, dialect, tableOptions }) {
    await q.createTable(
      'wecom_follow_relation_tags',
      {
        external_userid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        userid: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
        tag_id: { type: DataTypes.STRING(64), allowNull: false, primaryKey: true },
      },
      tableOptions,
    );
    // An employee's userid renamed in WeCom moves their rows (renameFollower): by this index, not a scan.
    await q.addIndex('wecom_follow_relation_tags', ['userid'], { name: 'wecom_follow_relation_tags_userid' });
    const [unnest, tagId] =
      dialect === 'mysql'
        ? ["JOIN JSON_TABLE(r.tag_ids, '$[*]' COLUMNS (tag_id VARCHAR(64) PATH '$')) j", 'j.tag_id']
        : ['JOIN json_each(r.tag_ids) j', 'j.value'];
    await sequelize.query(
      `INSERT INTO wecom_follow_relation_tags (external_userid, userid, tag_id)
       SELECT DISTINCT r.external_userid, r.userid, ${tagId} FROM wecom_follow_relations r ${unnest}
        WHERE r.tag_ids IS NOT NULL AND ${tagId} IS NOT NULL`,
    );
  },
  async down({ queryInterface: q }) {
    await q.dropTable('wecom_follow_relation_tags');
  },
};
