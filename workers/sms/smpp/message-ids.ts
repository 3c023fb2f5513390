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

/** The canonical key of an id (parts are stored, receipts looked up by it): lower case, no leading zeros. */
export function receiptKey(raw: string): string {
  return raw.trim().toLowerCase().replace(/^0+(?=.)/, '');
}
