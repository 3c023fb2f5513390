// E-mail addresses as the newsletter keeps them: trimmed, the domain in punycode (IDN domains
// are stored as the DNS sees them) and the whole address in lower case, so one person is one
// row per list and one suppression hash. Reasons are codes, never the address.
import { domainToASCII } from 'node:url';

export type AddressCheck = { readonly ok: true; readonly email: string } | { readonly ok: false; readonly reason: 'syntax' | 'domain' | 'too-long' };

const LOCAL = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}$/i;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

export function normaliseAddress(raw: string): AddressCheck {
  const value = raw.trim();
  const at = value.lastIndexOf('@');
  if (at < 1 || at === value.length - 1) return { ok: false, reason: 'syntax' };
  const local = value.slice(0, at);
  if (!LOCAL.test(local) || local.startsWith('.') || local.endsWith('.') || local.includes('..')) return { ok: false, reason: 'syntax' };
  const domain = domainToASCII(value.slice(at + 1).toLowerCase());
  const labels = domain.split('.');
  if (domain === '' || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1) ?? '')) return { ok: false, reason: 'domain' };
  const email = `${local.toLowerCase()}@${domain}`;
  if (email.length > 254) return { ok: false, reason: 'too-long' };
  return { ok: true, email };
}

/**
 * The mailbox an address reaches, as the sign-up's daily cap counts it: without a `+tag` (most
 * providers deliver jan+1@ and jan+2@ to jan@), and Gmail's without its dots, so variants of one
 * address buy no more mail.
 */
export function mailboxOf(email: string): string {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  const whole = email.slice(0, at);
  // A local part that starts with `+` has no tag to drop: `+31612345678@` is a mailbox of its own.
  const local = whole.startsWith('+') ? whole : (whole.split('+')[0] ?? '');
  return domain === 'gmail.com' || domain === 'googlemail.com' ? `${local.replaceAll('.', '')}@gmail.com` : `${local}@${domain}`;
}
