// What an SMSC's refusal of a submit_sm means (command_status, SMPP 3.4 section 5.1.3): the one
// table of temporary statuses, as every major SMSC (and Kannel, Jasmin) reads them. Throttling
// ones pause the session at once; every temporary one is tried again, a bounded number of
// times; every status not in the table is permanent and fails the message with its name.
import smpp from 'smpp';

export type Refusal = 'throttled' | 'temporary' | 'permanent';

const TEMPORARY: ReadonlyMap<number, Refusal> = new Map([
  [0x58, 'throttled'], // ESME_RTHROTTLED: over the rate the SMSC allows
  [0x14, 'throttled'], // ESME_RMSGQFUL: its message queue is full
  [0x08, 'temporary'], // ESME_RSYSERR: system error
  [0x64, 'temporary'], // ESME_RX_T_APPN: temporary application error
]);

export function refusalOf(status: number): Refusal {
  return TEMPORARY.get(status) ?? 'permanent';
}

/** How long a session sends nothing after a throttling answer (Kannel's throttling-sleep). */
export const THROTTLE_PAUSE_MS = 1_000;

/** Attempts of one part in all, while the SMSC answers a temporary refusal. */
export const PART_ATTEMPTS = 8;

/** The wait before attempt n + 1 of a part: doubling from 250 ms up to 4 s, jittered down by up to half. */
export function retryDelayMs(attempt: number): number {
  const base = Math.min(4_000, 250 * 2 ** (attempt - 1));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

const STATUS_NAMES = new Map(Object.entries(smpp.errors).map(([name, code]) => [code, name]));

export function statusName(status: number): string {
  return STATUS_NAMES.get(status) ?? `0x${status.toString(16).padStart(4, '0')}`;
}
