// Which subscription an invoice line names: its object identifier BT-128, else an item
// property whose name says it is a subscription or telephone number.
import type { ItemProperty } from '../../../db/schema.js';

const SUBSCRIPTION_NAMES = /^(subscription|subscription number|abonnement|abonnementsnummer|msisdn|telefoonnummer|mobiel nummer|phone number|telephone number)$/i;


export function subscriptionRef(line: { objectId: string | null; properties: readonly ItemProperty[] }): string | null {
  if (line.objectId) return line.objectId;
  return line.properties.find((p) => SUBSCRIPTION_NAMES.test(p.name.trim()))?.value ?? null;
}
