// The logs of every test file are searched for what must never be in a log line (issue 17,
// "no secret, API key, token or personal data in any log line"): the platform's token formats,
// e-mail addresses, phone numbers in the forms the tests use, the passwords the tests log in with,
// and the values (message texts, names) a test declares it used.
import { STRONG_PASSWORD } from './identity.js';

const PATTERNS: readonly (readonly [string, RegExp])[] = [
  ['token', /\b(?:tggs|tggr|tgg)_[A-Za-z0-9_-]{43}/],
  ['e-mail address', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/],
  // Not inside an id: a UUID's last group can be twelve digits that start with 00.
  // 316xxxxxxxx: a Dutch mobile number as SMPP writes it (E.164 without the +).
  ['phone number', /(?<![\w-])(?:\+|00)[1-9]\d{9,13}(?![\w-])|(?<![\w-])(?:06[ -]?|316)\d{8}(?![\w-])|\+31 ?6 ?\d{4} ?\d{4}/],
];

export interface LogLeak {
  readonly kind: string;
  readonly msg: unknown;
}

export function findLogLeaks(lines: readonly Record<string, unknown>[], secrets: readonly string[] = []): LogLeak[] {
  const known = [STRONG_PASSWORD, ...secrets].filter((s) => s.length >= 6);
  const leaks: LogLeak[] = [];
  for (const line of lines) {
    const text = JSON.stringify(line);
    for (const [kind, pattern] of PATTERNS) if (pattern.test(text)) leaks.push({ kind, msg: line.msg });
    for (const secret of known) if (text.includes(secret)) leaks.push({ kind: 'password', msg: line.msg });
  }
  return leaks;
}

/** A process's stdout and stderr as log lines: each line's JSON object, or its text as `msg` (a stack trace, a crash), named by `source`. */
export function outputLines(source: string, output: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        if (parsed && typeof parsed === 'object') return parsed as Record<string, unknown>;
      } catch {
        // not JSON: searched as text
      }
      return { msg: `${source}: ${line}` };
    });
}
