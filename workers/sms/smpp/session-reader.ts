// Reads a session's socket with pdu-reader.ts instead of the smpp package's reader, and hands
// each PDU on as the package does: the 'pdu' event, the event named by its command, then the
// callback waiting for that response. The package read every PDU with two stream reads and a
// Buffer.concat; here one chunk of the socket holds many PDUs, each read in place.
import type { PDU, Session } from 'smpp';
import { readPdu } from './pdu-reader.js';

/** The package's own limit: a larger command_length is no SMPP peer. */
const MAX_LENGTH = 16_384;
const HEADER = 16;

export function readWithOwnDecoder(session: Session): void {
  const socket = session.socket;
  socket.removeAllListeners('readable');
  let rest: Buffer | undefined;
  socket.on('data', (chunk: Buffer) => {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let offset = 0;
    while (data.length - offset >= 4) {
      const length = data.readUInt32BE(offset);
      if (length < HEADER || length > MAX_LENGTH) {
        session.emit('error', new Error(`PDU length ${length} is out of bounds`));
        socket.destroy();
        return;
      }
      if (data.length - offset < length) break;
      const pdu = readPdu(data.subarray(offset, offset + length));
      offset += length;
      session.emit('pdu', pdu);
      session.emit(pdu.command, pdu);
      const callback = pdu.command_id !== undefined && Number(pdu.command_id) & 0x80000000 ? session._callbacks[pdu.sequence_number] : undefined;
      if (callback) {
        delete session._callbacks[pdu.sequence_number];
        // Ours carry what the callbacks read (command_status, message_id), not PDU's methods.
        callback(pdu as PDU);
      }
    }
    rest = offset < data.length ? data.subarray(offset) : undefined;
  });
  socket.resume();
}
