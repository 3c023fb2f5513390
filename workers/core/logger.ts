// pino with redaction as a second line of defence: code logs ids and counts, never personal
// data, but a stray header or credential must still never reach a log line.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'tgg'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    redact: {
      paths: ['req.headers', 'headers', 'authorization', 'password', '*.password', 'email', 'phone', 'token', '*.token'],
      censor: '[redacted]',
    },
  });
}
