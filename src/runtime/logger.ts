import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. The redaction list is a second line of defence: secrets are Secret
 * objects that print as "<secret>", and these paths catch raw values passed by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: [
          'token',
          '*.token',
          'password',
          '*.password',
          'secretKey',
          '*.secretKey',
          'authorization',
          '*.authorization',
          'headers["x-auth-token"]',
          'headers.authorization',
        ],
        censor: '<secret>',
      },
    },
    destination,
  );
}
