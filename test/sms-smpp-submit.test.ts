// The SMPP provider's submit path against a real SMSC on loopback (the smpp package's server),
// without the chunk sender: parts in order with a throttled one sent again in its place, a
// session pause after a throttling answer, the table of temporary and permanent refusals,
// GSM-7 text under data_coding 1 and 3, concatenation references per destination, and a link
// that goes silent.
import smpp from 'smpp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeGsm7 } from '../workers/sms/encoding.js';
import { createSmppProvider } from '../workers/sms/providers/smpp.js';
import type { OutgoingSms, SmsProvider, SubmitResult } from '../workers/sms/providers/provider.js';
import { PART_ATTEMPTS } from '../workers/sms/smpp/submit-status.js';
import type { Runtime } from '../workers/runtime.js';
import { createTestContext, waitFor } from './helpers/context.js';
import { mobile as to } from './helpers/sms.js';
import { receiptText, startSmsc, type ReceivedSubmit, type TestSmsc } from './helpers/smsc.js';

const ctx = await createTestContext();
let runtime: Runtime;
let smsc: TestSmsc;
const providers: SmsProvider[] = [];

beforeAll(async () => {
  runtime = await ctx.start({ roles: ['web'] });
});

afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.close();
  await smsc.close();
});

afterAll(async () => {
  await runtime.stop();
});

const { ESME_ROK, ESME_RTHROTTLED, ESME_RMSGQFUL } = smpp;
const { ESME_RSYSERR = 0x08, ESME_RX_T_APPN = 0x64, ESME_RX_P_APPN = 0x65, ESME_RINVDSTADR = 0x0b } = smpp.errors;

/** Every submit_sm the SMSC saw, as "destination part status" in arrival order. */
interface Arrival {
  readonly destination: string;
  readonly part: number;
  readonly status: number;
}

/** A fresh SMSC answering by `rule` (ROK with a new id unless it says otherwise), and the arrivals. */
async function smscAnswering(rule: (submit: Omit<ReceivedSubmit, 'messageId'>, part: number) => number = () => ESME_ROK): Promise<Arrival[]> {
  smsc = await startSmsc();
  const arrivals: Arrival[] = [];
  let n = 3_000_000;
  smsc.answer = (submit) => {
    const part = submit.udh?.[5] ?? 1;
    const status = rule(submit, part);
    arrivals.push({ destination: `+${submit.destination}`, part, status });
    return status === ESME_ROK ? { status, messageId: String(++n) } : { status };
  };
  return arrivals;
}

async function providerFor(env: Record<string, string> = {}): Promise<SmsProvider> {
  const config = ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_RESPONSE_TIMEOUT_MS: '3000', ...env });
  const provider = createSmppProvider(config, runtime.deps, { retryDelayMs: () => 10 });
  providers.push(provider);
  expect(await provider.ready(5_000)).toBe(true);
  return provider;
}

let nextId = 1;
const message = (phone: string, text: string, encoding: 'gsm7' | 'ucs2' = 'gsm7'): OutgoingSms => ({ messageId: nextId++, sender: 'TGG', to: phone, text, encoding, segments: 1 });
const submit = (provider: SmsProvider, window: readonly OutgoingSms[]) => provider.submit(window, () => Promise.resolve());
const byId = (results: readonly SubmitResult[], m: OutgoingSms) => results.find((r) => r.messageId === m.messageId);
const THREE_PARTS = 'Deel een, deel twee en deel drie. '.repeat(12);

describe('SMPP submit path', () => {
  it('sends a throttled part again in its place, after the parts before it and before the ones after it', async () => {
    let throttled = false;
    const arrivals = await smscAnswering((submit, part) => {
      if (submit.destination.endsWith('0000005') && part === 2 && !throttled) {
        throttled = true;
        return ESME_RTHROTTLED;
      }
      return ESME_ROK;
    });
    const provider = await providerFor({ SMPP_WINDOW: '10' });
    const window = Array.from({ length: 12 }, (_, i) => message(to(i), THREE_PARTS));
    const results = await submit(provider, window);

    expect(results.map((r) => r.status)).toEqual(window.map(() => 'sent'));
    for (const m of window) {
      expect(arrivals.filter((a) => a.destination === m.to).map((a) => a.part)).toEqual(m.to === to(5) ? [1, 2, 2, 3] : [1, 2, 3]);
      expect(smsc.received.filter((r) => `+${r.destination}` === m.to).map((r) => r.udh?.[5])).toEqual([1, 2, 3]);
    }
    const result = byId(results, window[5]!);
    expect(result?.status === 'sent' && result.parts.map((p) => p.part)).toEqual([1, 2, 3]);
  });

  it('pauses the session at a throttling answer, before the next part or message is written', async () => {
    // This SMSC throttles whatever comes within 300 ms of its last throttling answer.
    let throttledAt = 0;
    let first = true;
    const arrivals = await smscAnswering((_submit, part) => {
      if ((first && part === 2) || Date.now() - throttledAt < 300) {
        first = false;
        throttledAt = Date.now();
        return ESME_RTHROTTLED;
      }
      return ESME_ROK;
    });
    const provider = await providerFor({ SMPP_WINDOW: '1' });
    const results = await submit(provider, [message(to(1), THREE_PARTS), message(to(2), 'Kort')]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(arrivals.filter((a) => a.status === ESME_RTHROTTLED)).toHaveLength(1);
  });

  it('queues a message again whole only when none of it was taken', async () => {
    const arrivals = await smscAnswering((submit) => (submit.destination.endsWith('0000001') ? ESME_RTHROTTLED : submit.destination.endsWith('0000002') ? ESME_RMSGQFUL : ESME_ROK));
    const provider = await providerFor();
    const window = [message(to(1), THREE_PARTS), message(to(2), 'Kort'), message(to(3), THREE_PARTS)];
    const results = await submit(provider, window);
    expect(results).toEqual([
      { messageId: window[0]!.messageId, status: 'retry', errorCode: 'ESME_RTHROTTLED' },
      { messageId: window[1]!.messageId, status: 'retry', errorCode: 'ESME_RMSGQFUL' },
      expect.objectContaining({ messageId: window[2]!.messageId, status: 'sent' }),
    ]);
    // Part 1 refused: parts 2 and 3 never went.
    expect(arrivals.filter((a) => a.destination === to(1)).map((a) => a.part)).toEqual([1]);
  });

  it('tries temporary refusals again up to a bound, and fails permanent ones at once', async () => {
    let sysErrors = 0;
    let transient = 0;
    const arrivals = await smscAnswering((submit, part) => {
      const d = submit.destination;
      if (d.endsWith('0000020') && sysErrors < 2) return (sysErrors++, ESME_RSYSERR);
      if (d.endsWith('0000021') && part === 2 && transient < 1) return (transient++, ESME_RX_T_APPN);
      if (d.endsWith('0000022')) return ESME_RSYSERR;
      if (d.endsWith('0000023')) return ESME_RINVDSTADR;
      if (d.endsWith('0000024') && part === 2) return ESME_RX_P_APPN;
      return ESME_ROK;
    });
    const provider = await providerFor();
    const window = [message(to(20), 'Kort'), message(to(21), THREE_PARTS), message(to(22), 'Kort'), message(to(23), 'Kort'), message(to(24), THREE_PARTS)];
    const results = await submit(provider, window);
    expect(results.map((r) => [r.status, r.status === 'sent' ? r.parts.length : r.errorCode])).toEqual([
      ['sent', 1],
      ['sent', 3],
      ['failed', 'ESME_RSYSERR'],
      ['failed', 'ESME_RINVDSTADR'],
      ['unknown', 'partly-accepted'],
    ]);
    const tries = (n: number) => arrivals.filter((a) => a.destination === to(n)).map((a) => a.part);
    expect(tries(21)).toEqual([1, 2, 2, 3]);
    expect(tries(22)).toEqual(Array.from({ length: PART_ATTEMPTS }, () => 1));
    expect(tries(23)).toEqual([1]);
    // A permanent refusal of part 2 is not tried again, and part 3 never goes.
    expect(tries(24)).toEqual([1, 2]);
    expect(byId(results, window[4]!)).toMatchObject({ parts: [{ part: 1 }] });
  });

  it('takes a generic_nack to a submit_sm as its refusal, not waiting for the timeout to leave it unknown', async () => {
    smsc = await startSmsc();
    smsc.answer = () => ({ status: ESME_RINVDSTADR, nack: true });
    const provider = await providerFor({ SMPP_RESPONSE_TIMEOUT_MS: '15000' });
    const m = message(to(61), 'Nack');
    const started = Date.now();
    const results = await submit(provider, [m]);
    expect(byId(results, m)).toMatchObject({ status: 'failed' });
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 25_000);

  it("answers the receipt of a part accepted after one submit of its window rejected (the window ended while it was in flight)", async () => {
    smsc = await startSmsc();
    // The first message is refused for now at once (its retry's wait throws: the window's
    // submit rejects); the second is answered 300 ms later, after the window has ended.
    smsc.answer = (submit) => (`+${submit.destination}` === to(71) ? { status: ESME_RX_T_APPN } : { status: ESME_ROK, messageId: '4000001', delayMs: 300 });
    const config = ctx.configWith({ SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url, SMPP_RESPONSE_TIMEOUT_MS: '3000' });
    const provider = createSmppProvider(config, runtime.deps, {
      retryDelayMs: () => {
        throw new Error('forced rejection');
      },
    });
    providers.push(provider);
    expect(await provider.ready(5_000)).toBe(true);
    await expect(submit(provider, [message(to(71), 'Een'), message(to(72), 'Twee')])).rejects.toThrow('forced rejection');
    // The second's submit_sm_resp (300 ms after the SMSC read it) is read, then its receipt comes.
    await waitFor(() => Promise.resolve(smsc.received.find((r) => r.messageId === '4000001')), 'the second submit at the SMSC');
    await new Promise((resolve) => setTimeout(resolve, 600));
    const answered = smsc.deliver({ esm_class: 0x04, short_message: receiptText('4000001', 'DELIVRD') });
    const unanswered = new Promise<string>((resolve) => setTimeout(() => resolve('no deliver_sm_resp within 2 s'), 2_000));
    expect(await Promise.race([answered, unanswered])).toBe(ESME_ROK);
  });

  it('encodes GSM-7 text for data_coding 1 (ASCII) and 3 (Latin-1), and sends UCS-2 when the text has no such bytes', async () => {
    await smscAnswering();
    const ascii = 'Hallo @home_1 {x} $5';
    const latin = 'Café @_ ÄÖ £5 ¿ñ';
    const euro = 'Prijs €5';
    const ia5 = await providerFor({ SMPP_GSM_DATA_CODING: '1' });
    expect((await submit(ia5, [message(to(1), ascii), message(to(2), latin)])).map((r) => r.status)).toEqual(['sent', 'sent']);
    const iso = await providerFor({ SMPP_GSM_DATA_CODING: '3' });
    expect((await submit(iso, [message(to(3), latin), message(to(4), euro)])).map((r) => r.status)).toEqual(['sent', 'sent']);

    const at = (n: number) => smsc.received.find((r) => `+${r.destination}` === to(n));
    // The package's server reads data_coding 1 as GSM (the confusion being guarded against):
    // its septets are the bytes that came, which are ASCII.
    expect(at(1)).toMatchObject({ dataCoding: 1, udh: null });
    expect(encodeGsm7(at(1)?.text ?? '').equals(Buffer.from(ascii, 'ascii'))).toBe(true);
    expect(at(2)).toMatchObject({ dataCoding: 8, text: latin });
    expect(at(3)).toMatchObject({ dataCoding: 3, text: latin });
    expect(Buffer.from(at(3)?.text ?? '', 'latin1').equals(Buffer.from(latin, 'latin1'))).toBe(true);
    expect(at(4)).toMatchObject({ dataCoding: 8, text: euro });
  });

  it('counts concatenation references per destination, so two long messages to one number never share one', async () => {
    await smscAnswering();
    const provider = await providerFor({ SMPP_WINDOW: '50' });
    const long = 'x'.repeat(170);
    const first = await submit(provider, [message(to(1), long)]);
    // 255 long messages to other numbers: a single 8-bit counter would be back where it was.
    await submit(provider, Array.from({ length: 255 }, (_, i) => message(to(1_000 + i), long)));
    const second = await submit(provider, [message(to(1), long), message(to(2), long)]);
    expect([...first, ...second].map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);

    const references = smsc.received.filter((r) => `+${r.destination}` === to(1)).map((r) => r.udh?.[3]);
    expect(references).toHaveLength(4);
    expect(references[0]).toBe(references[1]);
    expect(references[2]).toBe(references[3]);
    expect(references[2]).toBe(((references[0] ?? 0) + 1) & 0xff);
  });

  it('drops and binds again a link that leaves enquire_link unanswered, before anything is submitted on it', async () => {
    await smscAnswering();
    const provider = await providerFor({ SMPP_ENQUIRE_LINK_S: '1', SMPP_SYSTEM_TYPE: 'VMA', SMPP_ADDRESS_RANGE: '^31' });
    expect(smsc.binds).toEqual([{ systemType: 'VMA', addressRange: '^31' }]);
    smsc.silence();
    await waitFor(() => Promise.resolve(smsc.unanswered.includes('enquire_link') || undefined), 'an unanswered enquire_link');

    // The link is under suspicion: the window waits for the check, which drops the session.
    const window = [message(to(1), 'Een'), message(to(2), THREE_PARTS)];
    const results = await submit(provider, window);
    expect(results.map((r) => [r.status, r.status === 'sent' ? '' : r.errorCode])).toEqual([
      ['retry', 'not-connected'],
      ['retry', 'not-connected'],
    ]);
    expect(smsc.unanswered).not.toContain('submit_sm');

    expect(await provider.ready(10_000)).toBe(true);
    expect(smsc.binds).toHaveLength(2);
    expect((await submit(provider, window)).map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(smsc.received.map((r) => `+${r.destination}`)).toEqual([to(1), to(2), to(2), to(2)]);
  });
});
