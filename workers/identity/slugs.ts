// An organisation's slug: the name members log in with (`gemeente-voorbeeld`), derived once
// from its name: lowercase ASCII letters and digits between single dashes, accents dropped.
const MAX_LENGTH = 48;

export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_LENGTH)
    .replace(/^-+|-+$/g, '');
  return slug === '' ? 'organization' : slug;
}

/** The slug itself, or the first of slug-2, slug-3, ... that is not taken. */
export function firstFreeSlug(slug: string, taken: ReadonlySet<string>): string {
  let candidate = slug;
  for (let n = 2; taken.has(candidate); n++) candidate = `${slug}-${n}`;
  return candidate;
}
