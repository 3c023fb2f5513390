// {{field}} placeholders filled from a recipient's fields; a missing field is an error.
const PLACEHOLDER = /\{\{\s*([\w.-]+)\s*\}\}/g;

export function personalise(template: string, fields: Readonly<Record<string, string>> | null | undefined): { text: string } | { missing: string } {
  let missing: string | undefined;
  const text = template.replace(PLACEHOLDER, (_whole, name: string) => {
    const value = fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (value === undefined) missing ??= name;
    return value ?? '';
  });
  return missing === undefined ? { text } : { missing };
}
