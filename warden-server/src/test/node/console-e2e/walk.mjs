// Walks the Warden web console in Debian's Chromium, driven by playwright-core (never a downloaded
// browser). Run by ConsoleBrowserTest with BASE, TOKEN, WORKLOAD, RESOURCE and, to refresh the
// docs' screenshots, SHOTS (a directory). Prints one JSON line per step; exits non-zero on failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { BASE, TOKEN, WORKLOAD, RESOURCE, SHOTS } = process.env;
const say = (o) => console.log(JSON.stringify(o));
const fail = (msg) => { throw new Error(msg); };

const profile = mkdtempSync(join(tmpdir(), 'warden-console-e2e-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 860 },
});
const errors = [];
try {
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text() + ' at ' + page.url() + ' ' + JSON.stringify(m.location())); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => d.accept());

  // a page without a session goes to the sign-in form
  await page.goto(BASE + '/console/workloads');
  if (!page.url().includes('/console/login')) fail('no redirect to sign-in: ' + page.url());
  say({ step: 'redirected', url: page.url() });
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'login.png') });

  await page.fill('#token', TOKEN);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  if (!page.url().endsWith('/console/workloads')) {
    fail('sign-in failed at ' + page.url() + ': ' + ((await page.textContent('.error').catch(() => null)) || '(no message)'));
  }
  say({ step: 'signedIn', url: page.url() });

  const pages = [
    ['overview', '/console/'],
    ['workloads', '/console/workloads'],
    ['workload', '/console/workload?id=' + encodeURIComponent(WORKLOAD)],
    ['policies', '/console/policies'],
    ['credentials', '/console/credentials'],
    ['audit', '/console/audit'],
    ['inventory', '/console/inventory'],
    ['posture', '/console/inventory?tab=posture'],
    ['kpi', '/console/inventory?tab=kpi'],
    ['settings', '/console/settings'],
  ];
  for (const [name, path] of pages) {
    const res = await page.goto(BASE + path);
    if (res.status() !== 200) fail(name + ' answered ' + res.status());
    const csp = res.headers()['content-security-policy'] || '';
    if (!csp.includes("script-src 'self'")) fail(name + ' has no strict CSP: ' + csp);
    await page.waitForLoadState('load');
    if (SHOTS) await page.screenshot({ path: join(SHOTS, name + '.png'), fullPage: true });
    say({ step: 'page', name, title: await page.title() });
  }

  // the policy simulator answers in place (htmx)
  await page.goto(BASE + '/console/simulate');
  await page.fill('input[name=workload]', WORKLOAD);
  await page.fill('input[name=resource]', RESOURCE);
  await page.click('form[hx-post] button[type=submit]');
  await page.waitForSelector('#decision');
  const decision = (await page.textContent('#decision')).trim();
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'simulator.png'), fullPage: true });
  say({ step: 'simulated', decision });

  // revoke a live lease and see it gone from the live ones
  await page.goto(BASE + '/console/credentials?state=active&workload=' + encodeURIComponent(WORKLOAD));
  const lease = await page.getAttribute('#leases tr[data-lease]', 'data-lease');
  if (!lease) fail('no live lease to revoke');
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-lease="${lease}"] button`)]);
  const flash = (await page.textContent('.flash')) || '';
  const stillLive = await page.$(`tr[data-lease="${lease}"]`);
  say({ step: 'revoked', lease, flash: flash.trim(), stillListedAsLive: stillLive !== null });

  // a POST without the CSRF token is refused
  const csrfStatus = await page.evaluate(async (id) => {
    const r = await fetch('/console/credentials/revoke', { method: 'POST', body: new URLSearchParams({ id }) });
    return r.status;
  }, lease);
  say({ step: 'csrf', status: csrfStatus });
  // that refusal is expected: the browser logs it as a failed resource load, not a page error
  const unexpected = errors.filter((e) => !e.includes('403'));
  say({ step: 'consoleErrors', errors: unexpected });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
