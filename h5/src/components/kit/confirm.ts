/**
 * Asking before an action: `confirmed` resolves true when the user agreed, false when they
 * cancelled (never throws), so a page writes `if (!(await confirmed(…))) return;`.
 */
import { showConfirmDialog } from 'vant';

export interface Confirmation {
  title: string;
  message: string;
  /** The button's word (Vant's 确认 when absent). */
  confirmText?: string;
  /** The button in red: what follows cannot be undone. */
  danger?: boolean;
}

export function confirmed({ title, message, confirmText, danger }: Confirmation): Promise<boolean> {
  const button = { ...(confirmText ? { confirmButtonText: confirmText } : {}), ...(danger ? { confirmButtonColor: '#ee0a24' } : {}) };
  return showConfirmDialog({ title, message, ...button }).then(
    () => true,
    () => false,
  );
}

/** 删除, in red, after the user agreed to `message`. */
export function confirmDelete(title: string, message: string): Promise<boolean> {
  return confirmed({ title, message, confirmText: '删除', danger: true });
}
