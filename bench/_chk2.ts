import smpp from 'smpp';
import { decodeGsm7 } from '../workers/sms/smpp/gsm-decode.js';
const mid='10abcdef';
const b = new smpp.PDU('deliver_sm', { sequence_number: 1, source_addr: '31612345678', destination_addr: 'TGG', esm_class: 4, short_message: `id:${mid} sub:001 dlvrd:001 submit date:2612051300 done date:2612051300 stat:DELIVRD err:000 text:` }).toBuffer();
const N=20000;
function cpu(f: () => unknown) { const c0=process.cpuUsage(); for (let i=0;i<N;i++) f(); const c=process.cpuUsage(c0); return ((c.user+c.system)/1000).toFixed(0); }
const msg = b.subarray(b.length - 99);
const hdr = () => ({ command_length: b.readUInt32BE(0), command_id: b.readUInt32BE(4), command_status: b.readUInt32BE(8), sequence_number: b.readUInt32BE(12), command: 'deliver_sm' } as Record<string, unknown>);
function cstr(o: number) { const nul = b.indexOf(0, o); return b.toString('ascii', o, nul); }
for (let k=0;k<3;k++) console.log(
 'gsm', cpu(() => decodeGsm7(msg)),
 'latin1', cpu(() => msg.toString('latin1')),
 'hdr', cpu(hdr),
 'hdr+20 props', cpu(() => { const p = hdr(); for (const n of ['a','b','c','d','e','f','g','h','i','j','k','l','m','n','o','p']) p[n] = 1; return p; }),
 '4 cstr', cpu(() => [cstr(16), cstr(17), cstr(19), cstr(33)]),
 'subarray', cpu(() => b.subarray(40, 140)),
 'readUInt16', cpu(() => b.readUInt16BE(20)),
);
