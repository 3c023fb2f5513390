// Newsletter sending (issue 14), both against the same local SMTP sink (its own process):
//   1. nodemailer's pooled transport alone, 20,000 personalised mails as fast as it takes them
//      (the floor: same pool size and messages per connection as the platform's);
//   2. the platform sending a 20,000-subscriber campaign, `--role mail` as its own process:
//      from the campaign's start (snapshot included) to its completion.
// Target: at least 0.8 of nodemailer alone, and 1,000 mails/s or more. Runs alternate, twice.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import net from 'node:net';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { ADMIN_URL, HOST, REDIS_URL, createOrganization, databaseUrl, platformEnv, table } from './lib/platform.js';
import { startProcess, stopProcess } from './lib/processes.js';
import { scratch } from './lib/scratch.js';

const MAILS = Number(process.env.BENCH_MAILS ?? 20_000);
const RUNS = 2;
const WEB_PORT = 3297;
const SMTP_PORT = 2597;
const POOL = 5;
const PER_CONNECTION = 1_000;
const IN_FLIGHT = 500;
const DB_NAME = process.env.BENCH_MAIL_DATABASE ?? 'tgg_bench_mail';
const PREFIX = `bench-mail-${process.pid}`;
const TIMEOUT_MS = 300_000;
const SMTP_URL = `smtp://${HOST}:${SMTP_PORT}/?ignoreTLS=true`;

const HTML = '<h1>Nieuws van TGG</h1><p>Beste {{name}} uit {{attributes.plaats}},</p><p>Dit is de nieuwsbrief van deze maand, met het nieuws over de vereniging, de agenda en de ledenvergadering.</p><ul><li>Agenda</li><li>Verslag</li></ul>';
const nameAt = (i: number) => `Lid ${i}`;
const fill = (i: number) => HTML.replace('{{name}}', nameAt(i)).replace('{{attributes.plaats}}', 'Utrecht');

const children: ChildProcess[] = [];
const env = (extra: Record<string, string> = {}) =>
  platformEnv({ database: DB_NAME, prefix: PREFIX, webPort: WEB_PORT }, { SMTP_URL, MAIL_POOL_SIZE: String(POOL), MAIL_MESSAGES_PER_CONNECTION: String(PER_CONNECTION), ...extra });
const { run } = scratch({ adminUrl: ADMIN_URL, database: DB_NAME, redisUrl: REDIS_URL, prefix: PREFIX, children });

async function listening(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, HOST, () => resolve(true));
      socket.on('error', () => resolve(false));
      socket.setTimeout(500, () => resolve(false));
      socket.once('connect', () => socket.end());
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** nodemailer alone: MAILS mails through a pool like the platform's, IN_FLIGHT at a time. */
async function nodemailerAlone(): Promise<number> {
  const transport = nodemailer.createTransport({ pool: true, maxConnections: POOL, maxMessages: PER_CONNECTION, host: HOST, port: SMTP_PORT, secure: false, ignoreTLS: true });
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < MAILS) {
      const i = next++;
      const html = fill(i);
      await transport.sendMail({ from: 'TGG <nieuwsbrief@tgg.test>', to: `lid${i}@voorbeeld.nl`, subject: `Nieuws voor ${nameAt(i)}`, html, text: html.replace(/<[^>]+>/g, ' '), headers: { 'List-Unsubscribe': `<http://${HOST}/u?t=${i}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
  const ms = performance.now() - started;
  transport.close();
  return ms;
}

async function json<T>(method: string, path: string, key: string, body?: unknown): Promise<T> {
  const res = await fetch(`http://${HOST}:${WEB_PORT}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** The platform: a campaign to a list of MAILS, worker-mail as its own process; ms from start to completion. */
async function platformCampaign(key: string, listId: string, db: pg.Client): Promise<{ ms: number; sent: number }> {
  const worker = spawn('node', ['--import', 'tsx', 'main.ts', '--role', 'mail'], { env: { ...process.env, ...env() }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(worker);
  await new Promise((r) => setTimeout(r, 3_000)); // connected and idle before the campaign starts
  const campaign = await json<{ id: string }>('post', '/v1/campaigns', key, { listId, subject: 'Nieuws voor {{name}}', html: HTML });
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const { rows } = await db.query<{ status: string; ms: number | null; sent: string }>(
      `SELECT status, extract(epoch FROM completed_at - started_at) * 1000 AS ms,
              (SELECT count(*) FROM newsletter_deliveries WHERE campaign_id = $1 AND status = 'sent') AS sent
       FROM newsletter_campaigns WHERE id = $1`,
      [campaign.id],
    );
    const row = rows[0];
    if (row?.status === 'completed') {
      await stopProcess(worker, 10_000);
      return { ms: Number(row.ms), sent: Number(row.sent) };
    }
    if (row?.status === 'paused' || worker.exitCode !== null) throw new Error(`campaign ${row?.status ?? 'missing'}; worker exit ${worker.exitCode}`);
    if (Date.now() > deadline) throw new Error('campaign not completed in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function mailBench(): Promise<void> {
  await run(async () => {
    console.log(`Mail benchmark: ${MAILS.toLocaleString('en')} mails, pool of ${POOL}, database ${DB_NAME}`);
    const sink = spawn('node', ['--import', 'tsx', 'bench/lib/smtp-sink.ts', String(SMTP_PORT)], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(sink);
    await listening(SMTP_PORT);
    children.push(await startProcess('node', ['--import', 'tsx', 'main.ts', '--role', 'web', '--migrate'], env(), `http://${HOST}:${WEB_PORT}/healthz`));
    const key = await createOrganization(WEB_PORT, 'Bench vereniging');
    const list = await json<{ id: string }>('post', '/v1/lists', key, { name: 'Bench' });
    const subscribers = Array.from({ length: MAILS }, (_, i) => ({ email: `lid${i}@voorbeeld.nl`, name: nameAt(i), attributes: { plaats: 'Utrecht' } }));
    await json('post', `/v1/lists/${list.id}/subscribers`, key, { subscribers, basis: 'consent' });
    const db = new pg.Client({ connectionString: databaseUrl(DB_NAME) });
    await db.connect();
    const rows: string[][] = [['run', 'nodemailer alone', 'platform campaign', 'ratio']];
    const rate = (ms: number) => (MAILS * 1000) / ms;
    const results: { alone: number; platform: number }[] = [];
    try {
      for (let r = 0; r < RUNS; r++) {
        const aloneMs = await nodemailerAlone();
        const platform = await platformCampaign(key, list.id, db);
        if (platform.sent !== MAILS) throw new Error(`platform sent ${platform.sent} of ${MAILS}`);
        results.push({ alone: rate(aloneMs), platform: rate(platform.ms) });
        console.log(`  run ${r + 1}: nodemailer ${Math.round(rate(aloneMs))}/s, platform ${Math.round(rate(platform.ms))}/s`);
      }
    } finally {
      await db.end();
    }
    for (const [i, r] of results.entries()) rows.push([String(i + 1), `${Math.round(r.alone).toLocaleString('en')}/s`, `${Math.round(r.platform).toLocaleString('en')}/s`, (r.platform / r.alone).toFixed(2)]);
    console.log('');
    table(rows);
    const worst = Math.min(...results.map((r) => r.platform / r.alone));
    const slowest = Math.min(...results.map((r) => r.platform));
    console.log(`\ntarget: ratio >= 0.80 (${worst >= 0.8 ? 'MET' : 'MISSED'}: lowest ${worst.toFixed(2)}), >= 1,000 mails/s (${slowest >= 1000 ? 'MET' : 'MISSED'}: lowest ${Math.round(slowest)}/s)`);
  });
}
