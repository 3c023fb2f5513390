// Telecommunicatiewet art. 11.7: every marketing SMS carries a way to opt out. From a number
// (which can take replies) the text must mention STOP; from a name (alphanumeric: no replies)
// it must carry a link (https://…, http://…, www.… or a domain with a path such as tgg.nl/stop)
// or STOP followed by a number to send it to ("STOP naar 4411"). Checked on the template: a
// {{field}} does not count, since its value may be empty.

const NUMERIC_SENDER = /^\+\d+$/;
const STOP = /\bSTOP\b/i;
const LINK = /\bhttps?:\/\/\S+|\bwww\.\S+\.\S+|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\/\S*/i;
const STOP_TO_NUMBER = /\bSTOP\b\D{0,20}\+?\d(?:[\d ]{2,}\d)/i;

/** Why a marketing text lacks an opt-out way, or undefined when it has one. */
export function optOutWayProblem(sender: string, body: string): string | undefined {
  const text = body.normalize('NFKC').replace(/\{\{[^}]*\}\}/g, ' ');
  if (NUMERIC_SENDER.test(sender)) return STOP.test(text) ? undefined : 'a marketing SMS from a number must say that replying STOP opts out';
  if (LINK.test(text) || STOP_TO_NUMBER.test(text)) return undefined;
  return 'a marketing SMS from a name cannot take replies: it must carry a link or a number to opt out (https://…, or "STOP naar 4411")';
}
