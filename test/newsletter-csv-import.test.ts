// CSV import of subscribers (issue 14): streamed text/csv with `;`, `,` or tab, UTF-8 (BOM or
// not) or Windows-1252 as Dutch Excel saves it; addresses checked (IDN to punycode) and
// normalised; counts with reasons by row; a suppressed address never subscribed again; the
// unfriendly peer (no basis, no email column) gets a 400 naming the field.
import { describe, expect, it } from 'vitest';
import { suppress } from '../workers/newsletter/suppression.js';
import { createTestContext } from './helpers/context.js';
import { baseUrl } from './helpers/http.js';
import { caller, newOrganization } from './helpers/identity.js';
import { utf16 } from './helpers/utf16.js';

const ctx = await createTestContext();
const web = await ctx.start({ roles: ['web'] });
const call = caller(web);
const url = baseUrl(web);
const org = await newOrganization(call, ctx, 'Csv BV');
const other = await newOrganization(call, ctx, 'Ander BV');
const list = (await call<{ id: string }>('post', '/v1/lists', { auth: org.key, body: { name: 'Leden' } })).body;

async function post(body: Buffer | string, query = '?basis=consent', key = org.key, listId = list.id, contentType = 'text/csv') {
  const response = await fetch(`${url}/v1/lists/${listId}/subscribers${query}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
const subscriber = (email: string) => ctx.db.selectFrom('newsletter_subscribers').select(['email', 'name', 'attributes', 'status']).where('list_id', '=', list.id).where('email', '=', email).executeTakeFirst();

describe('CSV import', () => {
  it('reads Windows-1252 with semicolons, as Dutch Excel saves it', async () => {
    const text = 'E-mailadres;Naam;plaats\r\nJoëlle@Voorbeeld.nl;Joëlle Müller;Tilburg\r\nniet-een-adres;X;Y\r\n';
    const answer = await post(Buffer.from(text, 'latin1'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ added: 0, updated: 0, suppressed: 0, invalid: 2, rejected: [{ row: 1, reason: 'syntax' }, { row: 2, reason: 'syntax' }] });
    const good = await post(Buffer.from('E-mailadres;Naam;plaats\r\njoelle@Voorbeeld.nl;Joëlle Müller;Tilburg\r\n', 'latin1'));
    expect(good.body).toMatchObject({ added: 1, invalid: 0 });
    expect(await subscriber('joelle@voorbeeld.nl')).toEqual({ email: 'joelle@voorbeeld.nl', name: 'Joëlle Müller', attributes: { plaats: 'Tilburg' }, status: 'subscribed' });
  });

  it('reads UTF-8 with a BOM and commas, and tabs; IDN domains to punycode; reasons by row', async () => {
    const answer = await post(`\uFEFFemail,name\r\nanna@bücher.de,Anna\r\n,Leeg\r\nbob@voorbeeld,Bob\r\nanna@BÜCHER.de,Anna B\r\n`);
    expect(answer.body).toEqual({ added: 1, updated: 0, suppressed: 0, invalid: 2, rejected: [{ row: 2, reason: 'syntax' }, { row: 3, reason: 'domain' }] });
    expect(await subscriber('anna@xn--bcher-kva.de')).toMatchObject({ name: 'Anna B' });
    const tabs = await post('email\tname\nkees@voorbeeld.nl\tKees\n');
    expect(tabs.body).toMatchObject({ added: 1 });
    expect(await subscriber('kees@voorbeeld.nl')).toMatchObject({ name: 'Kees' });
  });

  it('reads UTF-16 LE after its BOM with tabs (Excel\'s "Unicode text"), and refuses one cut to an odd length', async () => {
    const file = utf16('E-mailadres\tNaam\ttelefoon\r\nrenee@voorbeeld.nl\tRenée Dupré\t0612345678\r\n');
    const answer = await post(file);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ added: 1, invalid: 0 });
    expect(await subscriber('renee@voorbeeld.nl')).toEqual({ email: 'renee@voorbeeld.nl', name: 'Renée Dupré', attributes: { telefoon: '0612345678' }, status: 'subscribed' });
    const odd = await post(file.subarray(0, file.length - 1));
    expect(odd.status).toBe(400);
    expect(odd.body).toMatchObject({ detail: 'The CSV has text that is not valid utf-16le (as its byte order mark says).', errors: [{ field: 'body' }] });
  });

  it('reads the file in the charset its Content-Type names, and answers 400 naming the header for one it cannot read', async () => {
    // Without its BOM a UTF-16 file is refused for its columns; named, it is read.
    const named = await post(Buffer.from('email\tnaam\r\nlotte@voorbeeld.nl\tLotte Ærø\r\n', 'utf16le'), undefined, undefined, undefined, 'text/csv; charset="UTF-16LE"');
    expect(named.body).toMatchObject({ added: 1, invalid: 0 });
    expect(await subscriber('lotte@voorbeeld.nl')).toMatchObject({ name: 'Lotte Ærø' });
    const unknown = await post('email\nx@voorbeeld.nl\n', undefined, undefined, undefined, 'text/csv; charset=klingon');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ errors: [{ field: 'header.content-type' }] });
    // Named UTF-8, Windows-1252 bytes are refused rather than read as something else.
    const wrong = await post(Buffer.from('email;naam\r\njoel@voorbeeld.nl;Joël\r\n', 'latin1'), undefined, undefined, undefined, 'text/csv; charset=utf-8');
    expect(wrong.status).toBe(400);
    expect(wrong.body).toMatchObject({ detail: 'The CSV has text that is not valid utf-8 (the charset it was sent with).' });
    expect(await subscriber('joel@voorbeeld.nl')).toBeUndefined();
  });

  it('counts a suppressed address and never subscribes it again', async () => {
    await ctx.db.transaction().execute((trx) => suppress(trx, ctx.config.suppressionKey, org.id, 'weg@voorbeeld.nl', 'unsubscribe'));
    const answer = await post('email\nWeg@Voorbeeld.nl\nkees@voorbeeld.nl\n');
    expect(answer.body).toMatchObject({ added: 0, updated: 1, suppressed: 1 });
    expect(await subscriber('weg@voorbeeld.nl')).toBeUndefined();
  });

  it('answers the unfriendly peer with a 400 naming the field, and another organisation with 404', async () => {
    const noBasis = await post('email\na@voorbeeld.nl\n', '');
    expect(noBasis.status).toBe(400);
    expect(JSON.stringify(noBasis.body)).toContain('query.basis');
    const noEmail = await post('naam\nA\n');
    expect(noEmail.status).toBe(400);
    expect(JSON.stringify(noEmail.body)).toContain('body');
    expect((await post('email\na@voorbeeld.nl\n', '?basis=consent', other.key)).status).toBe(404);
  });
});
