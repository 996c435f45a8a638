import pino, { type Logger } from 'pino';
import { SECRET_SETTING_NAMES } from '../domain/auth.js';
import { jsonLineToLogfmt } from './logfmt.js';

export type LogFormat = 'logfmt' | 'json';

/** Every setting of an authentication method that holds a secret, the temporary ones (domain/auth.ts), and the headers that carry one. */
const REDACTED_PATHS = [...SECRET_SETTING_NAMES, 'authorization']
  .flatMap((name) => [name, `*.${name}`])
  .concat(['headers["x-auth-token"]', 'headers.authorization', 'headers["x-security-token"]', 'headers["x-metadata-token"]']);

/**
 * Logs on stdout (or `destination`), one line per entry: logfmt or JSON (`--log.format`). The
 * redaction list is a second line of defence: secrets are Secret objects that print as "<secret>",
 * and these paths catch raw values passed by mistake. pino redacts before it serializes, so logfmt,
 * made from pino's JSON line, gets the redacted entry too.
 */
export function createLogger(level: string, destination?: pino.DestinationStream, format: LogFormat = 'json'): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: REDACTED_PATHS,
      censor: '<secret>',
    },
  };
  if (format === 'json') return pino(options, destination);
  const out = destination ?? pino.destination({ dest: 1, sync: true });
  const target = out as { flush?: (cb?: (err?: Error) => void) => void };
  const logfmt = {
    write: (line: string) => out.write(jsonLineToLogfmt(line)),
    // main.ts flushes before exiting.
    flush: (cb?: (err?: Error) => void) => (target.flush ? target.flush(cb) : cb?.()),
  };
  return pino(options, logfmt);
}
