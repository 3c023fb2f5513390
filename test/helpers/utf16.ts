// A file as Excel's "Unicode text" saves it: UTF-16 (little-endian unless told) after its byte order mark.
export function utf16(text: string, order: 'le' | 'be' = 'le'): Buffer {
  const le = Buffer.from(`\uFEFF${text}`, 'utf16le');
  return order === 'le' ? le : le.swap16();
}
