// The keyed hash of an E.164 number under SUPPRESSION_KEY: what opt-outs, restrictions and each
// message (sms_messages.phone_hash) hold. A module of its own: the validation pool's threads
// hash with it without loading the opt-out queries.
import { keyedHash } from '../core/keyed-hash.js';

export function phoneHash(suppressionKey: string, e164: string): Buffer {
  return keyedHash(suppressionKey, `phone:${e164}`);
}
