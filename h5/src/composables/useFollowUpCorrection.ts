import type { FollowUpEntry } from '@shared/follow-ups';
import { mayCorrectFollowUp } from '@shared/follow-up-rules';
import type { Permission } from '@shared/permissions';
import { ref } from 'vue';
import { useCan } from './useCan';
import { useSessionStore } from '@/stores/session';

/**
 * Correcting follow-ups on a page that lists them (FollowUpCells `:correctable` + `@correct`,
 * FollowUpEditSheet): which the caller may correct — with the write permission, their own within
 * 24 h, a manager's any — and the one being corrected.
 */
export function useFollowUpCorrection(write: Permission) {
  const session = useSessionStore();
  const { can } = useCan();
  const correcting = ref<FollowUpEntry | null>(null);
  const editing = ref(false);
  const correctable = (f: FollowUpEntry): boolean =>
    !!session.me && can(write) && mayCorrectFollowUp(f, { userId: session.me.user.id, dataScope: session.me.dataScope });
  function correct(f: FollowUpEntry): void {
    correcting.value = f;
    editing.value = true;
  }
  return { correcting, editing, correctable, correct };
}
