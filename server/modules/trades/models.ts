import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import type { TradeChannel, TradeKind } from '@shared/ledger';
import { TIMESTAMPS, bigintColumn, modelsFor } from '../../db/model-registry';
import { customerModels } from '../customers/models';

/** One trade of the ledger (migration 0027): the only record of money moving in or out of a product. */
export interface TradeRow {
  id: number;
  customer_id: number;
  product_id: number;
  kind: TradeKind;
  channel: TradeChannel;
  partner_id: number | null;
  /** Who the trade is credited to (every buy has one: it is their sale). */
  rep_user_id: number | null;
  department_id: number | null;
  /** The money of the trade (paid for a buy, received otherwise), ≥ 0. */
  amount_fen: number;
  /** Shares moved, signed: out is negative. A maturity's are set when the position is replayed. */
  shares_hundredths: number;
  nav: string | number | null;
  /** Set by replaying the position (average cost); an adjustment's cost correction is its own input. */
  cost_delta_fen: number;
  realised_gain_fen: number;
  traded_on: string;
  confirmed_on: string | null;
  suitability_override: string | null;
  notes: string | null;
  created_by: number | null;
  voided_at: Date | null;
  /** 冷静期 (0033): when it ends for a buy of a private product; null for other trades. */
  cooling_off_ends_at: Date | null;
  /** 回访 (0033): pending / confirmed / cancelled / unreachable; null when none is needed. */
  callback_status: CallbackStatus | null;
  callback_by: number | null;
  callback_at: Date | null;
  callback_note: string | null;
  /** 双录: the recording's id, file or link. */
  recording_ref: string | null;
  created_at: Date;
  updated_at: Date;
}

export type CallbackStatus = 'pending' | 'confirmed' | 'cancelled' | 'unreachable';

/** A customer's position in one product: a projection of its live trades, rewritten after every trade. */
export interface HoldingRow {
  id: number;
  customer_id: number;
  product_id: number;
  shares_hundredths: number;
  cost_fen: number;
  realised_gain_fen: number;
  status: 'holding' | 'closed';
  first_bought_on: string | null;
  last_changed_on: string | null;
  matures_on: string | null;
  created_at: Date;
  updated_at: Date;
}

type TradeCreation = Optional<
  TradeRow,
  | 'id'
  | 'created_at'
  | 'updated_at'
  | 'voided_at'
  | 'cost_delta_fen'
  | 'realised_gain_fen'
  | 'cooling_off_ends_at'
  | 'callback_status'
  | 'callback_by'
  | 'callback_at'
  | 'callback_note'
  | 'recording_ref'
>;

export const tradeModels = modelsFor((sequelize) => {
  const Trade: ModelStatic<Model<TradeRow, TradeCreation>> = sequelize.define(
    'Trade',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      product_id: DataTypes.INTEGER,
      kind: DataTypes.STRING,
      channel: DataTypes.STRING,
      partner_id: DataTypes.INTEGER,
      rep_user_id: DataTypes.INTEGER,
      department_id: DataTypes.INTEGER,
      amount_fen: bigintColumn('amount_fen'),
      shares_hundredths: bigintColumn('shares_hundredths'),
      nav: DataTypes.DECIMAL(14, 4),
      cost_delta_fen: bigintColumn('cost_delta_fen'),
      realised_gain_fen: bigintColumn('realised_gain_fen'),
      traded_on: DataTypes.DATEONLY,
      confirmed_on: DataTypes.DATEONLY,
      suitability_override: DataTypes.STRING,
      notes: DataTypes.STRING,
      created_by: DataTypes.INTEGER,
      voided_at: DataTypes.DATE,
      cooling_off_ends_at: DataTypes.DATE,
      callback_status: DataTypes.STRING(16),
      callback_by: DataTypes.INTEGER,
      callback_at: DataTypes.DATE,
      callback_note: DataTypes.STRING(500),
      recording_ref: DataTypes.STRING(255),
    },
    { tableName: 'trades', ...TIMESTAMPS },
  );
  const Holding: ModelStatic<Model<HoldingRow, Optional<HoldingRow, 'id' | 'created_at' | 'updated_at'>>> = sequelize.define(
    'Holding',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      product_id: DataTypes.INTEGER,
      shares_hundredths: bigintColumn('shares_hundredths'),
      cost_fen: bigintColumn('cost_fen'),
      realised_gain_fen: bigintColumn('realised_gain_fen'),
      status: DataTypes.STRING,
      first_bought_on: DataTypes.DATEONLY,
      last_changed_on: DataTypes.DATEONLY,
      matures_on: DataTypes.DATEONLY,
    },
    { tableName: 'holdings', ...TIMESTAMPS },
  );
  Holding.belongsTo(customerModels(sequelize).Customer, { foreignKey: 'customer_id', as: 'customer' });
  return { Trade, Holding };
});

/** The columns a trade's data scope is judged by: the rep it is credited to and their department. */
export const TRADE_SCOPE = { owner: 'rep_user_id', department: 'department_id' };
