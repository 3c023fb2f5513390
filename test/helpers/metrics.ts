// Reading /metrics as the ops login does: one sample's value, and every label value on the page.

/** The page at `port`'s /metrics, read with the ops login's Authorization header. */
export async function scrape(port: number | undefined, authorization: string): Promise<string> {
  const answer = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization } });
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`);
  return answer.text();
}

/** The value of the first sample of `name` whose labels include `labels` (NaN: none). */
export function valueOf(body: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = body.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && wanted.every((w) => l.includes(w)));
  return line === undefined ? Number.NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Each sample of `name` as its labels (in page order) and value. */
export function samplesOf(body: string, name: string): { labels: Record<string, string>; value: number }[] {
  return body
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .map((l) => ({ labels: labelsOf(l), value: Number(l.slice(l.lastIndexOf(' ') + 1)) }));
}

/** Every label value on the page, each with its sample's name and label name. */
export function labelValues(body: string): { metric: string; label: string; value: string }[] {
  return body
    .split('\n')
    .filter((l) => l.includes('{') && !l.startsWith('#'))
    .flatMap((l) => Object.entries(labelsOf(l)).map(([label, value]) => ({ metric: l.slice(0, l.indexOf('{')), label, value })));
}

function labelsOf(line: string): Record<string, string> {
  const inside = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  return Object.fromEntries([...inside.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

/** Each sample of `name` keyed by these labels' values, joined by "/": `{ "smpp/submitted": 3 }`. */
export function valuesBy(body: string, name: string, ...labels: string[]): Record<string, number> {
  return Object.fromEntries(samplesOf(body, name).map((s) => [labels.map((l) => s.labels[l] ?? '').join('/'), s.value]));
}
