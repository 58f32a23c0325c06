import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Paths that are censored wherever they appear in a log object. Tokens, secrets and cookies are
 * never logged; this list is the safety net for the places that log whole objects.
 */
const REDACT_PATHS = [
  'access_token',
  '*.access_token',
  'secret',
  '*.secret',
  'corpsecret',
  '*.corpsecret',
  'token',
  '*.token',
  'ticket',
  '*.ticket',
  'password',
  '*.password',
  'headers.cookie',
  '*.headers.cookie',
  'headers.authorization',
  '*.headers.authorization',
  '*["set-cookie"]',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
