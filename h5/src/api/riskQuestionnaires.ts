import type { QuestionnaireDefinition, QuestionnaireVersionView } from '@shared/risk-questionnaire';
import { api } from './client';

/** 管理 → 风险测评问卷: the versions, and a new one published (it becomes the active one). */
export const riskQuestionnairesApi = {
  list: () => api.get<{ items: QuestionnaireVersionView[] }>('/api/admin/risk-questionnaires'),
  publish: (definition: QuestionnaireDefinition) => api.post<QuestionnaireVersionView>('/api/admin/risk-questionnaires', definition),
};
