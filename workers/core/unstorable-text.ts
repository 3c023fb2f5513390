// What Postgres cannot store of a string, said as a field message: a NUL (text refuses it), a
// lone UTF-16 surrogate (jsonb refuses it; text would get it mangled). Undefined when storable.
const LONE_SURROGATE = /\p{Cs}/u;

export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'contains a lone surrogate';
  return undefined;
}
