// Which subscription an invoice line bills, by the rules of the upload's carrier profile
// (`invoiceLines.subscription`, tried in order): the line's object identifier BT-128, an item
// property by name (BT-160/BT-161), or a pattern in the item name or description (BT-153,
// BT-154). The first rule whose text is a valid phone number wins, as E.164 (as call records
// name subscriptions); a line no rule places is unallocated (null).
import { normalizePhone } from '../../phone/e164.js';
import { canonical, type InvoiceLineRule, type Profile } from '../profile.js';
import type { InvoiceLine } from './model.js';

type Rule = (line: InvoiceLine) => string | null | undefined;

function compiled(rule: InvoiceLineRule): Rule {
  switch (rule.from) {
    case 'objectId':
      return (line) => line.objectId;
    case 'property': {
      const names = new Set(rule.names.map(canonical));
      return (line) => line.properties.find((p) => names.has(canonical(p.name)))?.value;
    }
    case 'description': {
      const pattern = new RegExp(rule.pattern, 'iu');
      return (line) => {
        for (const text of [line.itemName, line.itemDescription]) {
          const match = text ? pattern.exec(text) : null;
          if (match) return match[1] ?? match[0];
        }
        return null;
      };
    }
  }
}

/** The profile's allocation, made once per file; numbers seen are remembered (a file names a few thousand). */
export function lineAllocator(profile: Profile): (line: InvoiceLine) => string | null {
  const rules = profile.invoiceLines.subscription.map(compiled);
  const numbers = new Map<string, string | null>();
  const e164 = (text: string) => {
    let number = numbers.get(text);
    if (number === undefined) {
      const phone = normalizePhone(text);
      number = phone.ok ? phone.e164 : null;
      if (numbers.size >= 50_000) numbers.clear();
      numbers.set(text, number);
    }
    return number;
  };
  return (line) => {
    for (const rule of rules) {
      const text = rule(line)?.trim();
      const number = text ? e164(text) : null;
      if (number) return number;
    }
    return null;
  };
}
