// Reads a session's socket with pdu-reader.ts instead of the smpp package's reader, and hands
// each PDU on as the package does: the 'pdu' event, the event named by its command, then the
// callback waiting for that response. The package read every PDU with two stream reads and a
// Buffer.concat; here one chunk of the socket holds many PDUs, each read in place where it
// lies. Only a PDU cut by the end of a chunk is copied, into a buffer of its own length, which
// the next chunks fill.
import type { PDU, Session } from 'smpp';
import { readPdu } from './pdu-reader.js';

/** The package's own limit: a larger command_length is no SMPP peer. */
const MAX_LENGTH = 16_384;
const HEADER = 16;
/** command_length: the first four bytes. */
const LENGTH_BYTES = 4;

export function readWithOwnDecoder(session: Session): void {
  const socket = session.socket;
  socket.removeAllListeners('readable');
  /** The PDU cut by the end of the last chunk: its bytes so far (`filled` of them). */
  let partial: Buffer | undefined;
  let filled = 0;
  /** Fewer than four bytes of a PDU, when a chunk ended inside its command_length. */
  let lengthBytes: Buffer | undefined;

  const lengthOk = (length: number): boolean => {
    if (length >= HEADER && length <= MAX_LENGTH) return true;
    session.emit('error', new Error(`PDU length ${length} is out of bounds`));
    socket.destroy();
    return false;
  };

  const handle = (bytes: Buffer): void => {
    const pdu = readPdu(bytes);
    session.emit('pdu', pdu);
    session.emit(pdu.command, pdu);
    const callback = pdu.command_id !== undefined && Number(pdu.command_id) & 0x80000000 ? session._callbacks[pdu.sequence_number] : undefined;
    if (callback) {
      delete session._callbacks[pdu.sequence_number];
      // Ours carry what the callbacks read (command_status, message_id), not PDU's methods.
      callback(pdu as PDU);
    }
  };

  socket.on('data', (chunk: Buffer) => {
    let data = chunk;
    if (lengthBytes) {
      // Rare: the last chunk ended within a command_length; the two are joined (at most 3 bytes copied).
      data = Buffer.concat([lengthBytes, chunk]);
      lengthBytes = undefined;
    }
    let offset = 0;
    if (partial) {
      const take = Math.min(partial.length - filled, data.length);
      data.copy(partial, filled, 0, take);
      filled += take;
      offset = take;
      if (filled < partial.length) return;
      const whole = partial;
      partial = undefined;
      handle(whole);
    }
    while (data.length - offset >= LENGTH_BYTES) {
      if (socket.destroyed) return;
      const length = data.readUInt32BE(offset);
      if (!lengthOk(length)) return;
      if (data.length - offset < length) {
        partial = Buffer.allocUnsafe(length);
        filled = data.copy(partial, 0, offset);
        return;
      }
      handle(data.subarray(offset, offset + length));
      offset += length;
    }
    if (offset < data.length) lengthBytes = Buffer.from(data.subarray(offset));
  });
  socket.resume();
}
