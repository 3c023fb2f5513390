// The benchmark's SMSC, run as its own process (`node --import tsx bench/lib/smsc-server.ts`):
// binds anyone, answers every submit_sm with ESME_ROK and a fresh message id, and at once sends
// a delivery receipt (deliver_sm, esm_class 0x04, stat:DELIVRD) on the same session. It tells
// what the benchmark reads on a tiny HTTP endpoint on loopback:
//   GET /stats  → { bound, submits, firstSubmitAt, lastSubmitAt } (submit_sm since the reset);
//     GET /stats?submits=N answers once N submit_sm have come since the reset (a long poll: the
//     bench waits on it instead of asking every few ms, which took CPU from the run measured);
//   POST /reset → zeroes the submit count and times;
//   GET /timeline → { resetEpoch, submits, acks }: when each submit_sm came and each deliver_sm_resp (the
//     client's acknowledgement of a receipt, sent once it is durable), in ms since the reset.
// SMSC_PORT (SMPP) and SMSC_HTTP_PORT set the ports.
import { createServer as createHttpServer } from 'node:http';
import smpp, { type PDU, type Session } from 'smpp';

const HOST = '127.0.0.1';
const SMPP_PORT = Number(process.env.SMSC_PORT ?? 2775);
const HTTP_PORT = Number(process.env.SMSC_HTTP_PORT ?? 2776);

let nextId = 0x10000000 + Math.floor(Math.random() * 0x1000000);
const stats = { submits: 0, firstSubmitAt: 0, lastSubmitAt: 0 };
/** The timeline since the last reset (performance.now() ms after it; resetEpoch is Date.now() then). */
let resetAt = performance.now();
let resetEpoch = Date.now();
let submitTimes: number[] = [];
let ackTimes: number[] = [];
const bound = new Set<Session>();
/** Long polls of /stats?submits=N, answered once that many submit_sm have come. */
let waiting: Array<{ readonly submits: number; readonly answer: () => void }> = [];

/** Answers the long polls whose count has come (all of them on a reset: their run is over). */
function answerWaiting(all = false): void {
  const due = all ? waiting : waiting.filter((w) => w.submits <= stats.submits);
  waiting = all ? [] : waiting.filter((w) => w.submits > stats.submits);
  for (const w of due) w.answer();
}

const two = (n: number): string => String(n).padStart(2, '0');
/** YYMMDDhhmm, as receipts write their dates. */
function receiptDate(d: Date): string {
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}`;
}

const server = smpp.createServer({}, (session) => {
  const bind = (pdu: PDU) => {
    bound.add(session);
    session.send(pdu.response());
  };
  session.on('bind_transceiver', bind);
  session.on('bind_transmitter', bind);
  session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
  session.on('unbind', (pdu: PDU) => {
    session.send(pdu.response());
    bound.delete(session);
    session.close();
  });
  session.on('close', () => bound.delete(session));
  session.on('error', () => bound.delete(session));
  session.on('deliver_sm_resp', () => ackTimes.push(performance.now() - resetAt));
  session.on('submit_sm', (pdu: PDU) => {
    submitTimes.push(performance.now() - resetAt);
    const now = Date.now();
    if (stats.firstSubmitAt === 0) stats.firstSubmitAt = now;
    stats.lastSubmitAt = now;
    stats.submits += 1;
    if (waiting.length > 0) answerWaiting();
    const id = (nextId++).toString(16);
    session.send(pdu.response({ message_id: id }));
    const date = receiptDate(new Date(now));
    const receipt = new smpp.PDU('deliver_sm', {
      source_addr: pdu.destination_addr,
      destination_addr: pdu.source_addr,
      esm_class: 0x04,
      short_message: `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:DELIVRD err:000 text:`,
    });
    session.send(receipt);
  });
});
server.on('error', (error) => {
  console.error(`smsc: ${error.message}`);
  process.exit(1);
});

const http = createHttpServer((req, res) => {
  if (req.method === 'POST' && req.url === '/reset') {
    Object.assign(stats, { submits: 0, firstSubmitAt: 0, lastSubmitAt: 0 });
    resetAt = performance.now();
    resetEpoch = Date.now();
    submitTimes = [];
    ackTimes = [];
    answerWaiting(true);
  }
  if (req.url === '/timeline') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ resetEpoch, submits: submitTimes, acks: ackTimes }));
    return;
  }
  const answer = () => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ bound: bound.size, ...stats }));
  };
  const submits = Number(new URL(req.url ?? '/', 'http://smsc').searchParams.get('submits') ?? 0);
  if (submits > stats.submits) waiting.push({ submits, answer });
  else answer();
});

server.listen(SMPP_PORT, HOST, () => http.listen(HTTP_PORT, HOST, () => console.log(`smsc listening on ${HOST}:${SMPP_PORT}`)));
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    for (const session of server.sessions) session.destroy();
    http.close();
    server.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 1_000).unref();
  });
}
