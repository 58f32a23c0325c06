import type { CustomerView } from '@shared/customers';
import type { Qualification } from '@shared/qualification-rules';
import type { CustomerRiskLevel } from '@shared/risk-profile';
import type {
  Answers,
  PublicQuestionnaireView,
  QuestionnaireConfirmedView,
  QuestionnaireLinkView,
  QuestionnaireResultView,
  RiskAssessmentView,
} from '@shared/risk-questionnaire';
import { api } from './client';

/** 风险测评问卷: the rep's side (a link, the answered questionnaires, 合规's correction) and the customer's public page. */
export const riskSurveyApi = {
  createLink: (customerId: number) => api.post<QuestionnaireLinkView>(`/api/customers/${customerId}/risk-questionnaire-links`, {}),
  assessments: (customerId: number) => api.get<{ items: RiskAssessmentView[] }>(`/api/customers/${customerId}/risk-assessments`),
  /** 合格投资者认定 (a null basis clears it). */
  qualify: (customerId: number, body: Qualification) => api.put<CustomerView>(`/api/customers/${customerId}/qualification`, body),
  correct: (customerId: number, body: { riskLevel: CustomerRiskLevel; reason: string }) =>
    api.post<CustomerView>(`/api/customers/${customerId}/risk-level-corrections`, body),
  /** The customer's page: no login, the token is the key. */
  open: (token: string) => api.get<PublicQuestionnaireView>(`/api/public/risk-survey/${encodeURIComponent(token)}`),
  preview: (token: string, answers: Answers) => api.post<QuestionnaireResultView>(`/api/public/risk-survey/${encodeURIComponent(token)}/preview`, { answers }),
  confirm: (token: string, answers: Answers) =>
    api.post<QuestionnaireConfirmedView>(`/api/public/risk-survey/${encodeURIComponent(token)}/confirm`, { answers }),
};
