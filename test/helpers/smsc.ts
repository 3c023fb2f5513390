// A real SMSC on a loopback port, from the `smpp` package's server: it binds any
// system_id/password, records every submit_sm as it arrived (raw bytes), answers with a
// message id, and sends delivery receipts when told to.
import type { AddressInfo } from 'node:net';
import smpp, { type PDU, type Session } from 'smpp';

export interface ReceivedSubmit {
  readonly sourceAddr: string;
  readonly sourceTon: number;
  readonly sourceNpi: number;
  readonly destination: string;
  readonly dataCoding: number;
  readonly esmClass: number;
  readonly registeredDelivery: number;
  /** The text as the SMSC's own decoder (the smpp package's, by data_coding) reads it. */
  readonly text: string;
  /** The user data header, if any, with its length byte. */
  readonly udh: Buffer | null;
  readonly messageId: string;
}

export interface TestSmsc {
  readonly url: string;
  readonly port: number;
  readonly received: ReceivedSubmit[];
  /** How to answer the next submits; default: accept with a decimal id. `delayMs` holds this one answer back. */
  answer: (submit: Omit<ReceivedSubmit, 'messageId'>, n: number) => { status: number; messageId?: string; delayMs?: number };
  /** Delays each submit_sm_resp (ms). */
  responseDelayMs: number;
  sendReceipt(messageId: string, stat: string): Promise<void>;
  sendIncoming(from: string, text: string): Promise<void>;
  /** Any deliver_sm (replies with TON/NPI, parts: smsc-replies.ts); resolves with the answer's command_status. */
  sendDeliverSm(fields: Record<string, unknown>): Promise<number>;
  /** Drops every client connection. */
  dropConnections(): void;
  close(): Promise<void>;
}

function decoded(pdu: PDU): { text: string; udh: Buffer | null } {
  const sm = pdu.short_message as { message?: string | Buffer; udh?: Buffer[] } | Buffer | undefined;
  if (Buffer.isBuffer(sm)) return { text: sm.toString('latin1'), udh: null };
  const udh = sm?.udh?.length ? Buffer.concat([Buffer.from([sm.udh.reduce((n, u) => n + u.length, 0)]), ...sm.udh]) : null;
  const message = sm?.message;
  return { text: Buffer.isBuffer(message) ? message.toString('latin1') : (message ?? ''), udh };
}

export async function startSmsc(port = 0): Promise<TestSmsc> {
  let counter = 1_000_000;
  const sessions = new Set<Session>();
  const smsc: TestSmsc = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: smpp.ESME_ROK, messageId: String(++counter) }),
    responseDelayMs: 0,
    async sendReceipt(messageId, stat) {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      const text = `id:${messageId} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611281200 done date:2611281201 stat:${stat} err:000 text:`;
      await new Promise<void>((resolve) => session.deliver_sm({ esm_class: 0x04, short_message: text }, () => resolve()));
    },
    async sendIncoming(from, text) {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      await new Promise<void>((resolve) => session.deliver_sm({ source_addr: from.replace(/^\+/, ''), source_addr_ton: 1, source_addr_npi: 1, esm_class: 0, short_message: text }, () => resolve()));
    },
    async sendDeliverSm(fields) {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      return new Promise<number>((resolve) => session.deliver_sm(fields, (resp: PDU) => resolve(resp.command_status)));
    },
    dropConnections() {
      for (const session of sessions) session.destroy();
      sessions.clear();
    },
    close: () =>
      new Promise((resolve) => {
        smsc.dropConnections();
        server.close(() => resolve());
      }),
  };
  // The smpp server decodes short_message by data_coding; keep the raw bytes instead.
  const server = smpp.createServer({}, (session) => {
    session.on('bind_transceiver', (pdu: PDU) => {
      sessions.add(session);
      session.send(pdu.response());
    });
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      sessions.delete(session);
      session.close();
    });
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
    session.on('submit_sm', (pdu: PDU) => {
      const submit = {
        sourceAddr: String(pdu.source_addr ?? ''),
        sourceTon: Number(pdu.source_addr_ton),
        sourceNpi: Number(pdu.source_addr_npi),
        destination: String(pdu.destination_addr ?? ''),
        dataCoding: Number(pdu.data_coding),
        esmClass: Number(pdu.esm_class),
        registeredDelivery: Number(pdu.registered_delivery),
        ...decoded(pdu),
      };
      const answer = smsc.answer(submit, smsc.received.length);
      if (answer.status === smpp.ESME_ROK) smsc.received.push({ ...submit, messageId: answer.messageId ?? '' });
      const respond = () => session.send(pdu.response({ command_status: answer.status, message_id: answer.messageId ?? '' }));
      const delayMs = answer.delayMs ?? smsc.responseDelayMs;
      if (delayMs > 0) setTimeout(respond, delayMs);
      else respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const bound = (server.address() as AddressInfo).port;
  Object.assign(smsc, { port: bound, url: `smpp://tgg:secret@127.0.0.1:${bound}` });
  return smsc;
}
