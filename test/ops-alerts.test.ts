// Issue 17: ops/alerts.yml loads in Prometheus (promtool, when Debian's prometheus package is
// installed; otherwise its structure is checked here), and every metric that the alerts and
// ops/grafana-dashboard.json name is exported by a process of the platform, or declared in
// ops/family-metrics.yml as one a family still has to export.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestContext } from './helpers/context.js';
import { basic } from './helpers/http.js';
import { startSmsc } from './helpers/smsc.js';

const ALERTS = 'ops/alerts.yml';
const PROMTOOL = '/usr/bin/promtool';

interface Rule {
  alert?: string;
  expr?: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rules = (parse(readFileSync(ALERTS, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(readFileSync('ops/grafana-dashboard.json', 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
// Empty (null) once every family exports what the rules name.
const declared = (parse(readFileSync('ops/family-metrics.yml', 'utf8')) ?? {}) as Record<string, { name: string }[]>;
const declaredNames = new Set(Object.values(declared).flatMap((list) => list.map((m) => m.name)));

/** The metric names a PromQL expression reads, histogram series mapped to their metric. */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\btgg_[a-z0-9_]+/g)].map(([name]) => name.replace(/_(bucket|count|sum)$/, ''));
}

const ctx = await createTestContext();

/** Every metric a web process and an SMPP worker export (a worker's SMPP gauges exist while unbound too). */
async function exportedNames(): Promise<Set<string>> {
  const smsc = await startSmsc();
  const web = await ctx.start({ roles: ['web', 'scheduler'] });
  const worker = await ctx.start({ roles: ['sms', 'invoices', 'mail', 'privacy'], config: ctx.configWith({ METRICS_PORT: '0', SMS_PROVIDER: 'smpp', SMPP_URL: smsc.url }) });
  const auth = { authorization: basic(ctx.config.ops.user, ctx.config.ops.password) };
  const texts = await Promise.all([web, worker].map(async (r) => (await fetch(`http://127.0.0.1:${r.port}/metrics`, { headers: auth })).text()));
  await worker.stop();
  await web.stop();
  await smsc.close();
  return new Set(texts.flatMap((t) => [...t.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1] ?? '')));
}

describe('ops/alerts.yml', () => {
  it('is a valid rules file (promtool when installed)', () => {
    if (existsSync(PROMTOOL)) {
      const out = execFileSync(PROMTOOL, ['check', 'rules', ALERTS], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
    }
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(rule.alert, JSON.stringify(rule)).toMatch(/^Tgg[A-Za-z]+$/);
      expect(rule.expr?.trim().length, rule.alert).toBeGreaterThan(0);
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/);
      expect(['page', 'ticket'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it('alerts on what the issue names', () => {
    const names = rules.map((r) => r.alert);
    for (const alert of ['TggQueueOldestJobWaiting', 'TggJobFailureRate', 'TggSmppSessionDown', 'TggRetentionPurgeNotRun', 'TggPrivacyRequestOverdue']) expect(names).toContain(alert);
    expect(rules.find((r) => r.alert === 'TggQueueOldestJobWaiting')?.expr).toContain('> 600');
    expect(rules.find((r) => r.alert === 'TggRetentionPurgeNotRun')?.expr).toContain('26 * 3600');
  });

  it('names only metrics the platform exports or a family has declared it will', async () => {
    const exported = await exportedNames();
    const named = [...rules.flatMap((r) => metricsIn(r.expr ?? '')), ...dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsIn(t.expr)))];
    const missing = [...new Set(named)].filter((name) => !exported.has(name) && !declaredNames.has(name));
    expect(missing).toEqual([]);
    // A declared metric that is exported now: its family should delete the entry.
    expect([...declaredNames].filter((name) => exported.has(name))).toEqual([]);
  });
});
