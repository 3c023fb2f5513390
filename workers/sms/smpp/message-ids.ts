// SMSC message ids: the id in submit_sm_resp and the one in a delivery receipt may be written
// differently (hex in one, decimal in the other, with or without leading zeros). Every
// reading of an id is stored, so a receipt matches whichever way it is written.
export function idForms(raw: string): string[] {
  const id = raw.trim().toLowerCase();
  const forms = new Set<string>([id]);
  const stripped = id.replace(/^0+(?=.)/, '');
  forms.add(stripped);
  if (/^[0-9a-f]{1,32}$/.test(id)) forms.add(BigInt(`0x${id}`).toString(10));
  if (/^[0-9]{1,38}$/.test(id)) forms.add(BigInt(id).toString(16));
  return [...forms];
}

/** Called as `charCodeAt.call(s, i)`: inlined whatever the string's representation (see ../encoding.ts). */
const charCodeAt = String.prototype.charCodeAt; // eslint-disable-line @typescript-eslint/unbound-method -- only ever called with .call

/** True when the id is already its own key: digits and lower-case letters only, no leading zero. */
function isKey(id: string): boolean {
  const n = id.length;
  if (n > 1 && charCodeAt.call(id, 0) === 0x30) return false;
  for (let i = 0; i < n; i++) {
    const c = charCodeAt.call(id, i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a))) return false;
  }
  return true;
}

/**
 * The canonical key of an id (parts are stored, receipts looked up by it): lower case, no
 * leading zeros. It is taken five times per part on the send path: an id that already is its
 * key (as SMSCs mostly write them) is given back as it is, with no new string.
 */
export function receiptKey(raw: string): string {
  return isKey(raw) ? raw : raw.trim().toLowerCase().replace(/^0+(?=.)/, '');
}
