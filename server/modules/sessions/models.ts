import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { modelsFor, TIMESTAMPS } from '../../db/model-registry';

export interface SessionRow {
  /** SHA-256 of the cookie's token (base64url): the token itself is never stored. */
  id: string;
  user_id: number;
  last_seen_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  updated_at: Date;
}

export type SessionModel = ModelStatic<Model<SessionRow, Optional<SessionRow, 'revoked_at' | 'ip' | 'user_agent' | 'created_at' | 'updated_at'>>>;

export const sessionModels = modelsFor((sequelize) => {
  const Session: SessionModel = sequelize.define(
    'Session',
    {
      id: { type: DataTypes.STRING(64), primaryKey: true },
      user_id: DataTypes.INTEGER,
      last_seen_at: DataTypes.DATE,
      expires_at: DataTypes.DATE,
      revoked_at: DataTypes.DATE,
      ip: DataTypes.STRING(64),
      user_agent: DataTypes.STRING(256),
    },
    { tableName: 'sessions', ...TIMESTAMPS },
  );
  return { Session };
});
