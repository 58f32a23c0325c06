import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { OwnerRule, QuickReplyKind, WelcomeScope, WelcomeSendStatus } from '@shared/engagement';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

interface Stamps {
  created_at: Date;
  updated_at: Date;
}

export interface MediaFileRow extends Stamps {
  id: number;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  content: Buffer;
  wecom_media_id: string | null;
  wecom_media_expires_at: Date | null;
  created_by: number | null;
}

export interface WelcomeTemplateRow extends Stamps {
  id: number;
  scope: WelcomeScope;
  scope_id: number | null;
  /** `corp`, `department:2`, `user:5`, `contact_way:3` — unique. */
  scope_key: string;
  text: string;
  /** JSON of a WelcomeAttachment. */
  attachment: string | null;
  enabled: boolean;
  updated_by: number | null;
}

export interface WelcomeSendRow extends Stamps {
  id: number;
  welcome_code: string;
  external_userid: string;
  userid: string;
  template_id: number | null;
  status: WelcomeSendStatus;
  errcode: number | null;
  detail: string | null;
  latency_ms: number | null;
}

export interface ContactWayRow extends Stamps {
  id: number;
  name: string;
  state: string;
  config_id: string | null;
  qr_code: string | null;
  /** JSON array of local user ids. */
  user_ids: string;
  skip_verify: boolean;
  /** JSON array of corp tag ids given to a contact added through the code. */
  tag_ids: string;
  source: string | null;
  owner_rule: OwnerRule;
  owner_user_id: number | null;
  created_by: number | null;
  deleted_at: Date | null;
}

export interface QuickReplyRow extends Stamps {
  id: number;
  category: string;
  title: string;
  kind: QuickReplyKind;
  content: string | null;
  link_url: string | null;
  media_file_id: number | null;
  sort_order: number;
  use_count: number;
  deleted_at: Date | null;
}

type Auto = 'id' | 'created_at' | 'updated_at';
const s = DataTypes.STRING;

export const engagementModels = modelsFor((sequelize) => {
  const MediaFile: ModelStatic<Model<MediaFileRow, Optional<MediaFileRow, Auto | 'wecom_media_id' | 'wecom_media_expires_at' | 'created_by'>>> =
    sequelize.define(
      'MediaFile',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        name: s,
        mime: s,
        size: DataTypes.INTEGER,
        sha256: s,
        content: DataTypes.BLOB('medium'),
        wecom_media_id: s,
        wecom_media_expires_at: DataTypes.DATE,
        created_by: DataTypes.INTEGER,
      },
      { tableName: 'media_files', ...TIMESTAMPS },
    );
  const WelcomeTemplate: ModelStatic<Model<WelcomeTemplateRow, Optional<WelcomeTemplateRow, Auto | 'scope_id' | 'attachment' | 'updated_by'>>> =
    sequelize.define(
      'WelcomeTemplate',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        scope: s,
        scope_id: DataTypes.INTEGER,
        scope_key: s,
        text: DataTypes.TEXT,
        attachment: DataTypes.TEXT,
        enabled: DataTypes.BOOLEAN,
        updated_by: DataTypes.INTEGER,
      },
      { tableName: 'welcome_templates', ...TIMESTAMPS },
    );
  const WelcomeSend: ModelStatic<Model<WelcomeSendRow, Optional<WelcomeSendRow, Auto | 'template_id' | 'errcode' | 'detail' | 'latency_ms'>>> =
    sequelize.define(
      'WelcomeSend',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        welcome_code: s,
        external_userid: s,
        userid: s,
        template_id: DataTypes.INTEGER,
        status: s,
        errcode: DataTypes.INTEGER,
        detail: s,
        latency_ms: DataTypes.INTEGER,
      },
      { tableName: 'welcome_sends', ...TIMESTAMPS },
    );
  const ContactWay: ModelStatic<
    Model<ContactWayRow, Optional<ContactWayRow, Auto | 'config_id' | 'qr_code' | 'source' | 'owner_user_id' | 'created_by' | 'deleted_at'>>
  > = sequelize.define(
    'ContactWay',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: s,
      state: s,
      config_id: s,
      qr_code: s,
      user_ids: DataTypes.TEXT,
      skip_verify: DataTypes.BOOLEAN,
      tag_ids: DataTypes.TEXT,
      source: s,
      owner_rule: s,
      owner_user_id: DataTypes.INTEGER,
      created_by: DataTypes.INTEGER,
      deleted_at: DataTypes.DATE,
    },
    { tableName: 'contact_ways', ...TIMESTAMPS },
  );
  const QuickReply: ModelStatic<Model<QuickReplyRow, Optional<QuickReplyRow, Auto | 'content' | 'link_url' | 'media_file_id' | 'use_count' | 'deleted_at'>>> =
    sequelize.define(
      'QuickReply',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        category: s,
        title: s,
        kind: s,
        content: DataTypes.TEXT,
        link_url: s,
        media_file_id: DataTypes.INTEGER,
        sort_order: DataTypes.INTEGER,
        use_count: DataTypes.INTEGER,
        deleted_at: DataTypes.DATE,
      },
      { tableName: 'quick_replies', ...TIMESTAMPS },
    );
  return { MediaFile, WelcomeTemplate, WelcomeSend, ContactWay, QuickReply };
});
