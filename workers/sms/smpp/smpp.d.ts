// The part of the `smpp` package (0.5, untyped) this project uses.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    message_id?: string;
    source_addr?: string;
    destination_addr?: string;
    esm_class?: number;
    data_coding?: number;
    short_message?: { message?: string | Buffer; udh?: Buffer[] } | Buffer | string;
    receipted_message_id?: string;
    message_state?: number;
    system_id?: string;
    password?: string;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): PDU;
    toBuffer(): Buffer;
    isResponse(): boolean;
  }

  /** What Session.send needs of a PDU: it numbers a request, then writes toBuffer(). */
  export interface OutgoingPdu {
    sequence_number: number;
    isResponse(): boolean;
    toBuffer(): Buffer;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    /** The last sequence number the package gave a request (wraps after 0x7fffffff). */
    sequence: number;
    /** The callbacks waiting for a response, by sequence number (the package's own table). */
    _callbacks: Record<number, (pdu: PDU) => void>;
    send(pdu: PDU | OutgoingPdu, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    bind_transceiver(options: Record<string, unknown>, callback?: (pdu: PDU) => void): boolean;
    submit_sm(options: Record<string, unknown>, callback?: (pdu: PDU) => void): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: (pdu: PDU) => void): boolean;
    enquire_link(options?: Record<string, unknown>, callback?: (pdu: PDU) => void): boolean;
    unbind(options?: Record<string, unknown>, callback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  // A CommonJS module whose exports are set in a loop: Node's ESM loader sees no named exports,
  // so it is imported as the default export only.
  const smpp: {
    connect(options: { host: string; port: number; auto_enquire_link_period?: number; tls?: boolean; [key: string]: unknown }, listener?: () => void): Session;
    createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
    PDU: { new (command: string, options: Record<string, unknown>): PDU; new (encoded: Buffer): PDU };
    errors: Record<string, number>;
    ESME_ROK: number;
    ESME_RTHROTTLED: number;
    ESME_RMSGQFUL: number;
  };
  export default smpp;
}
