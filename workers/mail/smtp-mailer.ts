import type { Readable } from 'node:stream';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { Config } from '../core/config.js';
import { dkimOptions, messageOptions, type Mailer, type OutgoingMail } from './mailer.js';

interface BodyMarker {
  stream?: Readable;
}

type PoolSettings = Pick<Config['mail'], 'from' | 'poolSize' | 'messagesPerConnection' | 'rate' | 'dkim'>;

/** A pooled SMTP transport (MAIL_POOL_SIZE connections, MAIL_MESSAGES_PER_CONNECTION each, MAIL_RATE per second); the URL carries credentials, so it is never logged. */
export function createSmtpMailer(smtpUrl: string, settings: PoolSettings): Mailer {
  const url = new URL(smtpUrl);
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: Number(url.searchParams.get('maxConnections') ?? settings.poolSize),
    maxMessages: settings.messagesPerConnection,
    ...(settings.rate !== undefined && { rateDelta: 1_000, rateLimit: settings.rate }),
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
    secure: url.protocol === 'smtps:',
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
    ...(url.username && { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    ...dkimOptions(settings.dkim),
  });
  // Whether the relay began to read the message body: a failure after that point (the
  // connection dropped after DATA, perhaps after the final '.') may have delivered the mail,
  // and nodemailer reports it as a connection error like any other (see classifyMailFailure).
  transport.use('stream', (mail, done) => {
    const marker = (mail.data as { bodyMarker?: BodyMarker }).bodyMarker;
    const create = mail.message.createReadStream.bind(mail.message);
    if (marker) {
      mail.message.createReadStream = () => {
        const stream = create();
        marker.stream = stream;
        return stream;
      };
    }
    done();
  });
  return {
    name: 'smtp',
    signs: settings.dkim !== undefined,
    async send(mail: OutgoingMail) {
      const marker: BodyMarker = {};
      try {
        const info = await transport.sendMail({ ...messageOptions(settings.from, mail), bodyMarker: marker } as SendMailOptions);
        return { messageId: info.messageId };
      } catch (error) {
        if (error instanceof Error) Object.assign(error, { bodyStarted: marker.stream?.readableDidRead === true });
        throw error;
      }
    },
    close() {
      transport.close();
      return Promise.resolve();
    },
  };
}
