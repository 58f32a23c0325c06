/** Values every module checks the same way before storing them. */
import { PHONE_MESSAGE, parsePhone } from '@shared/phone';
import { invalidField } from './errors';

/** A phone as stored: normalised and plausible (see parsePhone), or a validation error naming `field`. */
export function phoneField(raw: string | null | undefined, field = 'phone'): string | null | undefined {
  if (raw === undefined || raw === null) return raw;
  const phone = parsePhone(raw);
  if (!phone) throw invalidField(field, PHONE_MESSAGE);
  return phone;
}
