// The floor of the SMPP benchmark, run as its own process: the bare `smpp` client binds one
// transceiver session, keeps WINDOW submit_sm in flight until COUNT are submitted, and answers
// every deliver_sm receipt with deliver_sm_resp. It prints one JSON line: the time from the
// first submit until every submit_sm_resp and every receipt are in.
import smpp, { type PDU } from 'smpp';
import { TEMPLATE, nameAt, phoneAt } from './platform.js';

const PORT = Number(process.env.SMSC_PORT ?? 2775);
const COUNT = Number(process.env.COUNT ?? 100_000);
const WINDOW = Number(process.env.WINDOW ?? 100);
// The platform's text for its first recipient, and its numbers without the +.
const TEXT = TEMPLATE.replace('{{naam}}', nameAt(0));

const session = smpp.connect({ host: '127.0.0.1', port: PORT });
let submitted = 0;
let responses = 0;
let refused = 0;
let receipts = 0;
let start = 0;

function finishIfDone(): void {
  if (responses < COUNT || receipts < COUNT) return;
  const ms = performance.now() - start;
  console.log(JSON.stringify({ count: COUNT, window: WINDOW, ms, refused, receipts }));
  session.unbind({}, () => session.destroy());
  setTimeout(() => process.exit(0), 500).unref();
}

function submitNext(): void {
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
    submitNext();
    finishIfDone();
  });
}

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
    start = performance.now();
    for (let k = 0; k < WINDOW; k++) submitNext();
  });
});
