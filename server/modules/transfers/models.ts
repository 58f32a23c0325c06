import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { TransferKind, TransferResolution, TransferStatus } from '@shared/transfers';
import { idColumn, modelsFor, TIMESTAMPS } from '../../db/model-registry';

export interface TransferRow {
  id: number;
  batch_id: string;
  kind: TransferKind;
  subject: 'contact' | 'group_chat' | 'crm';
  customer_id: number | null;
  external_userid: string | null;
  chat_id: string | null;
  /** WeCom userids of the handover and takeover members. */
  handover_userid: string | null;
  takeover_userid: string | null;
  from_user_id: number | null;
  to_user_id: number;
  requested_by: number | null;
  message: string | null;
  status: TransferStatus;
  errcode: number | null;
  reason: string | null;
  takeover_at: Date | null;
  /** The contact or chat while queued / waiting (unique), NULL after. */
  live_key: string | null;
  resolution: TransferResolution | null;
  resolved_by: number | null;
  resolved_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

type Generated =
  | 'id'
  | 'customer_id'
  | 'external_userid'
  | 'chat_id'
  | 'handover_userid'
  | 'takeover_userid'
  | 'from_user_id'
  | 'requested_by'
  | 'message'
  | 'errcode'
  | 'reason'
  | 'takeover_at'
  | 'live_key'
  | 'resolution'
  | 'resolved_by'
  | 'resolved_at'
  | 'created_at'
  | 'updated_at';
export type NewTransfer = Optional<TransferRow, Generated>;
export type TransferModel = ModelStatic<Model<TransferRow, NewTransfer>>;

export const transferModels = modelsFor((sequelize) => {
  const Transfer: TransferModel = sequelize.define(
    'CustomerTransfer',
    {
      id: idColumn(),
      batch_id: DataTypes.STRING(36),
      kind: DataTypes.STRING(16),
      subject: DataTypes.STRING(16),
      customer_id: DataTypes.INTEGER,
      external_userid: DataTypes.STRING(64),
      chat_id: DataTypes.STRING(64),
      handover_userid: DataTypes.STRING(64),
      takeover_userid: DataTypes.STRING(64),
      from_user_id: DataTypes.INTEGER,
      to_user_id: DataTypes.INTEGER,
      requested_by: DataTypes.INTEGER,
      message: DataTypes.STRING(255),
      status: DataTypes.STRING(16),
      errcode: DataTypes.INTEGER,
      reason: DataTypes.STRING(255),
      takeover_at: DataTypes.DATE,
      live_key: DataTypes.STRING(80),
      resolution: DataTypes.STRING(16),
      resolved_by: DataTypes.INTEGER,
      resolved_at: DataTypes.DATE,
    },
    { tableName: 'customer_transfers', ...TIMESTAMPS },
  );
  return { Transfer };
});
