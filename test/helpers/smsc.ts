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

/** A submit as recorded: when the SMSC read it (Date.now()) and the bind it came on (1, 2, ...: the order sessions bound). */
export type RecordedSubmit = ReceivedSubmit & { readonly at: number; readonly session: number };

export interface TestSmsc {
  readonly url: string;
  readonly port: number;
  readonly received: RecordedSubmit[];
  /** How to answer the next submits; default: accept with a decimal id. `delayMs` holds this one answer back. */
  answer: (submit: Omit<ReceivedSubmit, 'messageId'>, n: number, session: number) => { status: number; messageId?: string; delayMs?: number; nack?: boolean };
  /** Delays each submit_sm_resp (ms). */
  responseDelayMs: number;
  sendReceipt(messageId: string, stat: string): Promise<void>;
  sendIncoming(from: string, text: string): Promise<void>;
  /**
   * Sends a deliver_sm or data_sm with these fields (a receipt in any form: text, TLVs,
   * message_payload); resolves with the command_status of the ESME's answer.
   */
  deliver(fields: Record<string, unknown>, command?: 'deliver_sm' | 'data_sm'): Promise<number>;
  /** Drops every client connection. */
  dropConnections(): void;
  /** The sessions bound now, in the order they bound. */
  readonly sessions: () => number;
  /**
   * Cuts the bound session at this index (0: the first bound), as an SMSC cutting one bind: from
   * now on it answers nothing, and it closes once no PDU has come on it for a moment, so every
   * submit_sm the client wrote before the cut was read (and is in `received`) rather than lost
   * unread in the socket: what the client may count as written is what the SMSC saw.
   */
  dropSession(index: number): Promise<void>;
  /** submit_sm accepted on each session, by its bind number (1, 2, ...). */
  readonly submitsBySession: Map<number, number>;
  /** When set, each accepted submit gets a DELIVRD receipt at once, on another bound session when there is one. */
  receiptsElsewhere: boolean;
  /** Every bind_transceiver, in order, with the fields an SMSC may ask for. */
  readonly binds: Array<{ systemType: string; addressRange: string }>;
  /** The sessions bound now answer nothing more (a dead link: enquire_link and submit_sm go unanswered); later binds are answered. */
  silence(): void;
  /** The PDUs (command names) that came on a silenced session. */
  readonly unanswered: string[];
  close(): Promise<void>;
}

/** How long a session being cut must stay quiet before it closes (dropSession). */
const DROP_QUIET_MS = 100;

/** A receipt's text (SMPP 3.4 appendix B); `stat` and `id` as given, so variants can be written. */
export function receiptText(id: string, stat: string, options: { err?: string; done?: string; idField?: string } = {}): string {
  const dlvrd = stat === 'DELIVRD' ? '001' : '000';
  return `${options.idField ?? 'id:'}${id} sub:001 dlvrd:${dlvrd} submit date:2611281200 done date:${options.done ?? '2611281201'} stat:${stat} err:${options.err ?? '000'} text:`;
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
  const silenced = new WeakSet<Session>();
  /** Sessions being cut (dropSession): each PDU read on one puts its close off again. */
  const dropping = new WeakMap<Session, () => void>();
  const bindNumber = new WeakMap<Session, number>();
  let binds = 0;
  let receiptTurn = 0;
  /** A bound session other than `session` (the next one round), or `session` when it is alone. */
  const another = (session: Session): Session => {
    const others = [...sessions].filter((s) => s !== session);
    return others[receiptTurn++ % Math.max(1, others.length)] ?? session;
  };
  const smsc: TestSmsc = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: smpp.ESME_ROK, messageId: String(++counter) }),
    responseDelayMs: 0,
    async sendReceipt(messageId, stat) {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      await new Promise<void>((resolve) => session.deliver_sm({ esm_class: 0x04, short_message: receiptText(messageId, stat) }, () => resolve()));
    },
    async sendIncoming(from, text) {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      await new Promise<void>((resolve) => session.deliver_sm({ source_addr: from.replace(/^\+/, ''), source_addr_ton: 1, source_addr_npi: 1, esm_class: 0, short_message: text }, () => resolve()));
    },
    deliver(fields, command = 'deliver_sm') {
      const session = [...sessions][0];
      if (!session) throw new Error('no client bound');
      return new Promise((resolve) => session.send(new smpp.PDU(command, fields), (answer) => resolve(answer.command_status)));
    },
    dropConnections() {
      for (const session of sessions) session.destroy();
      sessions.clear();
    },
    sessions: () => sessions.size,
    dropSession(index) {
      const session = [...sessions][index];
      if (!session) throw new Error(`no session ${index} bound`);
      sessions.delete(session);
      return new Promise((resolve) => {
        const cut = () => {
          session.destroy();
          resolve();
        };
        let timer = setTimeout(cut, DROP_QUIET_MS);
        dropping.set(session, () => {
          clearTimeout(timer);
          timer = setTimeout(cut, DROP_QUIET_MS);
        });
      });
    },
    submitsBySession: new Map(),
    receiptsElsewhere: false,
    binds: [],
    silence() {
      for (const session of sessions) silenced.add(session);
    },
    unanswered: [],
    close: () =>
      new Promise((resolve) => {
        smsc.dropConnections();
        server.close(() => resolve());
      }),
  };
  // The smpp server decodes short_message by data_coding; keep the raw bytes instead.
  const server = smpp.createServer({}, (session) => {
    // A silenced session reads each PDU and answers none.
    session.on('pdu', (pdu: PDU) => {
      if (silenced.has(session)) smsc.unanswered.push(pdu.command);
    });
    session.on('bind_transceiver', (pdu: PDU) => {
      const field = (value: unknown) => (typeof value === 'string' ? value : '');
      smsc.binds.push({ systemType: field(pdu.system_type), addressRange: field(pdu.address_range) });
      sessions.add(session);
      bindNumber.set(session, ++binds);
      session.send(pdu.response());
    });
    session.on('enquire_link', (pdu: PDU) => !silenced.has(session) && !dropping.has(session) && session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      sessions.delete(session);
      session.close();
    });
    session.on('close', () => sessions.delete(session));
    session.on('error', () => sessions.delete(session));
    session.on('submit_sm', (pdu: PDU) => {
      if (silenced.has(session)) return;
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
      const n = bindNumber.get(session) ?? 0;
      const answer = smsc.answer(submit, smsc.received.length, n);
      if (answer.status === smpp.ESME_ROK) {
        smsc.received.push({ ...submit, messageId: answer.messageId ?? '', at: Date.now(), session: n });
        smsc.submitsBySession.set(n, (smsc.submitsBySession.get(n) ?? 0) + 1);
      }
      const cutting = dropping.get(session);
      if (cutting) return cutting();
      const respond = () => {
        if (dropping.has(session)) return;
        // `nack`: the submit_sm answered by a generic_nack of its sequence number (a header the SMSC would not read).
        if (answer.nack) session.send(new smpp.PDU('generic_nack', { sequence_number: pdu.sequence_number, command_status: answer.status }));
        else session.send(pdu.response({ command_status: answer.status, message_id: answer.messageId ?? '' }));
        if (answer.status === smpp.ESME_ROK && smsc.receiptsElsewhere && session.socket.writable) {
          another(session).deliver_sm({ esm_class: 0x04, short_message: receiptText(answer.messageId ?? '', 'DELIVRD') });
        }
      };
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
