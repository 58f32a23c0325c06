import { DataTypes, type Model, type ModelStatic, type Optional } from 'sequelize';
import { TIMESTAMPS, modelsFor } from '../../db/model-registry';

/** A questionnaire version (migration 0032): `definition` is the JSON of QuestionnaireDefinition, never edited. */
export interface QuestionnaireRow {
  id: number;
  version: number;
  definition: string;
  status: 'active' | 'retired';
  created_by: number | null;
  created_at: Date;
  updated_at: Date;
}

/** A link a rep sent: one customer, one questionnaire version, until `expires_at`, used once. */
export interface QuestionnaireLinkRow {
  id: number;
  customer_id: number;
  questionnaire_id: number;
  nonce_hash: string;
  created_by: number;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An answered, confirmed questionnaire: kept as answered (办法第三十二条: at least 20 years). */
export interface RiskAssessmentRow {
  id: number;
  customer_id: number;
  questionnaire_id: number;
  link_id: number;
  answers: string;
  score: number;
  risk_level: string;
  assessed_on: string;
  expires_on: string;
  confirmed_at: Date;
  user_agent: string | null;
  ip: string | null;
  created_at: Date;
  updated_at: Date;
}

type Auto = 'id' | 'created_at' | 'updated_at';

export const questionnaireModels = modelsFor((sequelize) => {
  const Questionnaire: ModelStatic<Model<QuestionnaireRow, Optional<QuestionnaireRow, Auto | 'created_by'>>> = sequelize.define(
    'RiskQuestionnaire',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      version: DataTypes.INTEGER,
      definition: DataTypes.TEXT,
      status: DataTypes.STRING(16),
      created_by: DataTypes.INTEGER,
    },
    { tableName: 'risk_questionnaires', ...TIMESTAMPS },
  );
  const QuestionnaireLink: ModelStatic<Model<QuestionnaireLinkRow, Optional<QuestionnaireLinkRow, Auto | 'used_at'>>> = sequelize.define(
    'RiskQuestionnaireLink',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      questionnaire_id: DataTypes.INTEGER,
      nonce_hash: DataTypes.STRING(64),
      created_by: DataTypes.INTEGER,
      expires_at: DataTypes.DATE,
      used_at: DataTypes.DATE,
    },
    { tableName: 'risk_questionnaire_links', ...TIMESTAMPS },
  );
  const RiskAssessment: ModelStatic<Model<RiskAssessmentRow, Optional<RiskAssessmentRow, Auto | 'user_agent' | 'ip'>>> = sequelize.define(
    'RiskAssessment',
    {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      customer_id: DataTypes.INTEGER,
      questionnaire_id: DataTypes.INTEGER,
      link_id: DataTypes.INTEGER,
      answers: DataTypes.TEXT,
      score: DataTypes.INTEGER,
      risk_level: DataTypes.STRING(2),
      assessed_on: DataTypes.DATEONLY,
      expires_on: DataTypes.DATEONLY,
      confirmed_at: DataTypes.DATE,
      user_agent: DataTypes.STRING(512),
      ip: DataTypes.STRING(64),
    },
    { tableName: 'risk_assessments', ...TIMESTAMPS },
  );
  return { Questionnaire, QuestionnaireLink, RiskAssessment };
});
