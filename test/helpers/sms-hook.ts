// A post to the HTTP gateway's hook (POST /hooks/sms/http), signed as the gateway signs it.
import { signatureOf } from '../../api/webhook-signature.js';
import type { Runtime } from '../../workers/runtime.js';
import { baseUrl } from './http.js';

export function postToHook(runtime: Runtime, secret: string, body: unknown): Promise<Response> {
  const raw = JSON.stringify(body);
  const at = Math.floor(Date.now() / 1000);
  return fetch(`${baseUrl(runtime)}/hooks/sms/http`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature-timestamp': String(at), 'x-signature': signatureOf(secret, at, raw) },
    body: raw,
  });
}
