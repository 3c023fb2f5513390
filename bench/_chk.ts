import smpp from 'smpp';
import { readPdu } from './_pr.js';
const mid='10abcdef';
const b = new smpp.PDU('deliver_sm', { sequence_number: 1, source_addr: '31612345678', destination_addr: 'TGG', esm_class: 4, short_message: `id:${mid} sub:001 dlvrd:001 submit date:2612051300 done date:2612051300 stat:DELIVRD err:000 text:` }).toBuffer();
const r = new smpp.PDU('submit_sm_resp', { sequence_number: 1, message_id: mid }).toBuffer();
const N=20000;
function cpu(f: () => unknown) { const c0=process.cpuUsage(); for (let i=0;i<N;i++) f(); const c=process.cpuUsage(c0); return ((c.user+c.system)/1000).toFixed(0); }
for (let k=0;k<4;k++) console.log('deliver own', cpu(() => readPdu(b)), 'pkg', cpu(() => new smpp.PDU(b)), '| resp own', cpu(() => readPdu(r)), 'pkg', cpu(() => new smpp.PDU(r)));
