import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { ExclusionReason, MassKind, MassStatus, RecipientStatus } from '@shared/mass-messages';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

/** A 客户群发 (migration 0034): its audience and content as JSON, fixed once submitted. */
export interface MassMessageRow {
  id: number;
  title: string;
  /** NULL for rows from before 0038: customers. */
  kind: MassKind | null;
  status: MassStatus;
  audience: string;
  content: string;
  content_hash: string;
  product_id: number | null;
  approval_id: number | null;
  created_by: number;
  department_id: number | null;
  dispatched_at: Date | null;
  cancelled_at: Date | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MassTaskRow {
  id: number;
  mass_message_id: number;
  sender_user_id: number;
  sender_userid: string;
  text: string;
  msgid: string | null;
  status: 'created' | 'sent' | 'cancelled' | 'failed' | 'new';
  sent_at: Date | null;
  error: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface MassRecipientRow {
  id: number;
  mass_message_id: number;
  customer_id: number;
  task_id: number | null;
  external_userid: string | null;
  sender_user_id: number | null;
  excluded: ExclusionReason | null;
  excluded_detail: string | null;
  status: RecipientStatus | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A 客户群 of a group message (migration 0038): who sends to it, or why not, and WeCom's result. */
export interface MassGroupRow {
  id: number;
  mass_message_id: number;
  chat_id: string;
  name: string | null;
  member_count: number;
  sender_user_id: number | null;
  task_id: number | null;
  excluded: ExclusionReason | null;
  status: RecipientStatus | null;
  sent_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface MassSegmentRow {
  id: number;
  name: string;
  filter: string;
  created_by: number;
  created_at: Date;
  updated_at: Date;
}

type Auto = 'id' | 'created_at' | 'updated_at';

export const massModels = modelsFor((sequelize) => {
  const MassMessage: ModelStatic<Model<MassMessageRow, Optional<MassMessageRow, Auto | 'kind' | 'approval_id' | 'dispatched_at' | 'cancelled_at' | 'error'>>> =
    sequelize.define(
      'MassMessage',
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        title: DataTypes.STRING,
        kind: DataTypes.STRING,
        status: DataTypes.STRING,
        audience: DataTypes.TEXT,
        content: DataTypes.TEXT,
        content_hash: DataTypes.STRING,
        product_id: DataTypes.INTEGER,
        approval_id: DataTypes.INTEGER,
        created_by: DataTypes.INTEGER,
        department_id: DataTypes.INTEGER,
        dispatched_at: DataTypes.DATE,
        cancelled_at: DataTypes.DATE,
        error: DataTypes.STRING,
      },
      { tableName: 'mass_messages', ...TIMESTAMPS },
    );
  const MassTask: ModelStatic<Model<MassTaskRow, Optional<MassTaskRow, Auto | 'msgid' | 'sent_at' | 'error'>>> = sequelize.define(
    'MassTask',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      mass_message_id: DataTypes.INTEGER,
      sender_user_id: DataTypes.INTEGER,
      sender_userid: DataTypes.STRING,
      text: DataTypes.TEXT,
      msgid: DataTypes.STRING,
      status: DataTypes.STRING,
      sent_at: DataTypes.DATE,
      error: DataTypes.STRING,
    },
    { tableName: 'mass_message_tasks', ...TIMESTAMPS },
  );
  const MassRecipient: ModelStatic<Model<MassRecipientRow, Optional<MassRecipientRow, Auto | 'task_id' | 'sent_at'>>> = sequelize.define(
    'MassRecipient',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      mass_message_id: DataTypes.INTEGER,
      customer_id: DataTypes.INTEGER,
      task_id: DataTypes.INTEGER,
      external_userid: DataTypes.STRING,
      sender_user_id: DataTypes.INTEGER,
      excluded: DataTypes.STRING,
      excluded_detail: DataTypes.STRING,
      status: DataTypes.STRING,
      sent_at: DataTypes.DATE,
    },
    { tableName: 'mass_message_recipients', ...TIMESTAMPS },
  );
  const MassSegment: ModelStatic<Model<MassSegmentRow, Optional<MassSegmentRow, Auto>>> = sequelize.define(
    'MassSegment',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: DataTypes.STRING,
      filter: DataTypes.TEXT,
      created_by: DataTypes.INTEGER,
    },
    { tableName: 'mass_segments', ...TIMESTAMPS },
  );
  const MassGroup: ModelStatic<Model<MassGroupRow, Optional<MassGroupRow, Auto | 'task_id' | 'sent_at' | 'status'>>> = sequelize.define(
    'MassGroup',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      mass_message_id: DataTypes.INTEGER,
      chat_id: DataTypes.STRING,
      name: DataTypes.STRING,
      member_count: DataTypes.INTEGER,
      sender_user_id: DataTypes.INTEGER,
      task_id: DataTypes.INTEGER,
      excluded: DataTypes.STRING,
      status: DataTypes.STRING,
      sent_at: DataTypes.DATE,
    },
    { tableName: 'mass_message_groups', ...TIMESTAMPS },
  );
  return { MassMessage, MassTask, MassRecipient, MassSegment, MassGroup };
});
