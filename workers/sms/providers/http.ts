// The HTTP provider: one JSON request per window to a gateway (SMS_HTTP_URL). The gateway we
// speak to, written down because there is no standard (the shape most JSON SMS APIs share):
//
//   POST SMS_HTTP_URL   Authorization: Bearer SMS_HTTP_TOKEN   Content-Type: application/json
//   { "messages": [{ "reference": "<our message id>", "from": "TGG" | "+3120…", "to": "+316…",
//                    "text": "…", "encoding": "gsm7" | "ucs2" }] }
//   200 { "results": [{ "reference": "…", "id": "<gateway id>", "status": "accepted" }
//                   | { "reference": "…", "status": "rejected", "error": "<code>" }] }
//
// - The gateway splits long texts itself and gives one id per message; that id is what its
//   delivery reports name (POST /hooks/sms/http), so it is stored as part 1 like an SMSC id.
// - 429 and 503 are the gateway's word that nothing was taken: the whole window is retried.
//   So is a connection that never opened (refused, no such host, unreachable): nothing left us.
// - Everything else after the request went out (a timeout, a reset, another status, a body we
//   cannot read, a message missing from the results) may have been sent: unknown, never resent
//   by itself (ARCHITECTURE.md, rule 4).
import { z } from 'zod';
import type { Config } from '../../core/config.js';
import { describeError } from '../../core/errors.js';
import type { OutgoingSms, ProviderDeps, SmsProvider, SubmitResult } from './provider.js';

const TIMEOUT_MS = 30_000;
const NOTHING_TAKEN = new Set([429, 503]);
/** Errors of the connect phase: the request was never written. */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

const text = z.union([z.string().min(1), z.number()]).transform(String);
const resultSchema = z.discriminatedUnion('status', [
  z.object({ reference: text, status: z.literal('accepted'), id: text }),
  z.object({ reference: text, status: z.literal('rejected'), error: z.string().optional() }),
]);
const answerSchema = z.object({ results: z.array(resultSchema) });
type GatewayResult = z.output<typeof resultSchema>;

/** fetch fails with a TypeError whose cause carries the socket's error code. */
function causeCode(error: unknown): string | undefined {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function outcomes(window: readonly OutgoingSms[], results: readonly GatewayResult[]): SubmitResult[] {
  const byReference = new Map(results.map((r) => [r.reference, r]));
  return window.map((m): SubmitResult => {
    const result = byReference.get(String(m.messageId));
    if (!result) return { messageId: m.messageId, status: 'unknown', errorCode: 'no-result' };
    if (result.status === 'accepted') return { messageId: m.messageId, status: 'sent', providerMessageId: result.id, parts: [{ part: 1, smscId: result.id }] };
    return { messageId: m.messageId, status: 'failed', errorCode: (result.error ?? 'rejected').slice(0, 100) };
  });
}

export interface HttpProviderOptions {
  readonly timeoutMs?: number;
}

export function createHttpProvider(config: Config, deps: ProviderDeps, options: HttpProviderOptions = {}): SmsProvider {
  if (!config.sms.httpUrl) throw new Error('SMS_HTTP_URL is required for SMS_PROVIDER=http');
  const url = config.sms.httpUrl;
  const token = config.sms.httpToken;
  const headers = { 'content-type': 'application/json', accept: 'application/json', ...(token && { authorization: `Bearer ${token}` }) };
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;

  async function post(window: readonly OutgoingSms[]): Promise<SubmitResult[]> {
    const all = (status: 'retry' | 'unknown', errorCode: string) => window.map((m): SubmitResult => ({ messageId: m.messageId, status, errorCode }));
    const messages = window.map((m) => ({ reference: String(m.messageId), from: m.sender, to: m.to, text: m.text, encoding: m.encoding }));
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ messages }), signal: AbortSignal.timeout(timeoutMs) });
      if (response.status !== 200) {
        await response.body?.cancel();
        deps.logger.warn({ status: response.status, messages: window.length }, 'SMS gateway did not take the window');
        return all(NOTHING_TAKEN.has(response.status) ? 'retry' : 'unknown', `http-${response.status}`);
      }
      const answer = answerSchema.safeParse(await response.json().catch(() => undefined));
      if (!answer.success) deps.logger.warn({ messages: window.length }, 'SMS gateway answered 200 with an unreadable body');
      return answer.success ? outcomes(window, answer.data.results) : all('unknown', 'bad-response');
    } catch (error) {
      const code = causeCode(error);
      deps.logger.warn({ error: describeError(error), code, messages: window.length }, 'SMS gateway request failed');
      if (code !== undefined && NEVER_CONNECTED.has(code)) return all('retry', 'not-connected');
      return all('unknown', isTimeout(error) ? 'timeout' : 'no-response');
    }
  }

  return {
    name: 'http',
    windowSize: 200,
    ready: () => Promise.resolve(true),
    async submit(window, record) {
      if (window.length === 0) return [];
      const results = await post(window);
      await record(results);
      return results;
    },
    close: () => Promise.resolve(),
  };
}
