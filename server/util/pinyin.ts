/**
 * Pinyin initials of a name, for the customer search (「zcn」 finds 张晨娜): each Chinese character's
 * first letter (a surname read as a surname: 曾 z, 单 s), letters and digits kept, the rest dropped,
 * lower-case, at most 64 characters. pinyin-pro (npm) does the reading.
 */
import { pinyin } from 'pinyin-pro';

export const INITIALS_MAX = 64;

export function pinyinInitials(name: string): string {
  const letters = pinyin(name, { pattern: 'first', toneType: 'none', surname: 'head', type: 'array', nonZh: 'consecutive' });
  return letters
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '')
    .slice(0, INITIALS_MAX);
}

/** A search text that can be initials: letters only, 2–64 of them. */
export const looksLikeInitials = (text: string): boolean => /^[a-z]{2,64}$/i.test(text.trim());
