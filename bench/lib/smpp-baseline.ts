// The floor of the SMPP benchmark, run as its own process: the bare `smpp` client binds SESSIONS
// transceiver sessions (1 unless told), keeps WINDOW submit_sm in flight on each until COUNT are
// submitted in all, and answers every deliver_sm receipt with deliver_sm_resp. It prints one
// JSON line: the time from the first submit until every submit_sm_resp and every receipt are in.
import smpp, { type PDU, type Session } from 'smpp';
import { TEMPLATE, nameAt, phoneAt } from './platform.js';

const PORT = Number(process.env.SMSC_PORT ?? 2775);
const COUNT = Number(process.env.COUNT ?? 100_000);
const WINDOW = Number(process.env.WINDOW ?? 100);
const SESSIONS = Number(process.env.SESSIONS ?? 1);
// The platform's text for its first recipient, and its numbers without the +.
const TEXT = TEMPLATE.replace('{{naam}}', nameAt(0));

let submitted = 0;
let responses = 0;
let refused = 0;
let receipts = 0;
let start = 0;
let bound = 0;
const sessions: Session[] = [];

function finishIfDone(): void {
  if (responses < COUNT || receipts < COUNT) return;
  const ms = performance.now() - start;
  console.log(JSON.stringify({ count: COUNT, window: WINDOW, sessions: SESSIONS, ms, refused, receipts }));
  for (const session of sessions) session.unbind({}, () => session.destroy());
  setTimeout(() => process.exit(0), 500).unref();
}

function submitNext(session: Session): void {
  if (submitted >= COUNT) return;
  const i = submitted++;
  const params = {
    source_addr: 'TGG',
    source_addr_ton: 5,
    source_addr_npi: 0,
    destination_addr: phoneAt(i, 0).slice(1),
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    registered_delivery: 1,
    data_coding: 0,
    short_message: TEXT,
  };
  session.submit_sm(params, (pdu: PDU) => {
    responses += 1;
    if (pdu.command_status !== smpp.ESME_ROK) refused += 1;
    submitNext(session);
    finishIfDone();
  });
}

for (let s = 0; s < SESSIONS; s++) {
  const session = smpp.connect({ host: '127.0.0.1', port: PORT });
  sessions.push(session);
  session.on('deliver_sm', (pdu: PDU) => {
    session.send(pdu.response());
    receipts += 1;
    finishIfDone();
  });
  session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
  session.on('error', (error: Error) => {
    console.error(`baseline: ${error.message}`);
    process.exit(1);
  });
  session.on('connect', () => {
    session.bind_transceiver({ system_id: 'bench', password: 'bench', interface_version: 0x34 }, (pdu: PDU) => {
      if (pdu.command_status !== smpp.ESME_ROK) {
        console.error(`baseline: bind refused (${pdu.command_status})`);
        process.exit(1);
      }
      // Every session bound before the first submit, so the clock starts with all of them.
      if (++bound < SESSIONS) return;
      start = performance.now();
      for (const each of sessions) for (let k = 0; k < WINDOW; k++) submitNext(each);
    });
  });
}
