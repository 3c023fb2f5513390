// A real SMTP server on a loopback port (the smtp-server package): records every mail as it
// arrived (envelope and raw message) and answers RCPT TO as told.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** What the server answers to RCPT TO; undefined accepts. */
export type RcptPolicy = (address: SMTPServerAddress, attempt: number) => { code: number; message: string } | undefined;

export interface TestSmtp {
  readonly port: number;
  /** An SMTP_URL that reaches this server (no TLS). */
  readonly url: string;
  readonly received: ReceivedMail[];
  /** Every RCPT TO address, in order. */
  readonly rcptAttempts: string[];
  /** How to answer RCPT TO; default: accept. */
  rcptPolicy: RcptPolicy;
  /** True for a mail (by its number, from 1) whose connection is dropped after its final '.', unanswered. */
  dropAfterData: (mailNumber: number) => boolean;
  /** How long the relay takes to answer a message's final '.' (default 0: at once). */
  dataDelayMs: number;
  /** Close after the runtimes that pool connections to it are stopped. */
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1_000,
    onRcptTo(address, _session, callback) {
      smtp.rcptAttempts.push(address.address);
      const answer = smtp.rcptPolicy(address, smtp.rcptAttempts.length);
      if (!answer) return callback();
      callback(Object.assign(new Error(answer.message), { responseCode: answer.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        smtp.received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        if (smtp.dropAfterData(smtp.received.length)) {
          // The message arrived whole; the client never hears so (a relay that died after '.').
          const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
          for (const c of connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        if (smtp.dataDelayMs > 0) setTimeout(() => callback(), smtp.dataDelayMs);
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const smtp: TestSmtp = {
    port,
    url: `smtp://127.0.0.1:${port}/?ignoreTLS=true`,
    received: [],
    rcptAttempts: [],
    rcptPolicy: () => undefined,
    dropAfterData: () => false,
    dataDelayMs: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return smtp;
}
