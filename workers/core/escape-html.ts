// Text made safe inside HTML (element content and quoted attributes), for the public pages
// (api/html-page.ts) and the privacy access export alike.
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
