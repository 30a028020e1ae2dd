// Walks the Warden web console in Debian's Chromium, driven by playwright-core (never a downloaded
// browser). Run by ConsoleBrowserTest with BASE, TOKEN, WORKLOAD, RESOURCE, PLATFORM_TOKEN (a
// platform token of WORKLOAD), SSO_USER (who the test identity provider signs in) and, to refresh
// the docs' screenshots, SHOTS (a directory). Prints one JSON line per step; exits non-zero on failure.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { BASE, TOKEN, WORKLOAD, RESOURCE, SHOTS, PLATFORM_TOKEN, SSO_USER } = process.env;
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

  // free-text search: a selector substring, any case
  await page.goto(BASE + '/console/workloads');
  await page.fill('#workload-search', 'ACME/BATCH');
  await Promise.all([page.waitForNavigation(), page.press('#workload-search', 'Enter')]);
  say({ step: 'searched', rows: await page.$$eval('table tr td.mono a', (as) => as.map((a) => a.textContent)) });

  // test a platform token against a trust provider (htmx, in place)
  await page.goto(BASE + '/console/settings#test-token');
  await page.fill('form.test-token textarea[name=token]', PLATFORM_TOKEN);
  await page.click('form.test-token button[type=submit]');
  await page.waitForSelector('#token-result');
  const tested = (await page.textContent('#token-result .integrity')).trim();
  if (SHOTS) await (await page.$('#token-test')).screenshot({ path: join(SHOTS, 'test-token.png') });
  say({ step: 'tokenTested', result: tested, tokenShown: (await page.content()).includes(PLATFORM_TOKEN) });

  // rotate the access-token signing keys from Settings: a confirmed POST with the CSRF token
  await page.goto(BASE + '/console/settings#keys');
  const keysBefore = await page.$$eval('#signing-keys tr[data-kid]', (rs) => rs.length);
  await page.selectOption('#rotate-keys select[name=purpose]', 'access-token');
  await Promise.all([page.waitForNavigation(), page.click('#rotate-keys button[type=submit]')]);
  say({ step: 'keysRotated', flash: ((await page.textContent('.flash')) || '').trim(), keysBefore,
    keysAfter: await page.$$eval('#signing-keys tr[data-kid]', (rs) => rs.length) });

  // the simulator with a pasted platform token instead of a workload
  await page.goto(BASE + '/console/simulate');
  await page.fill('textarea[name=token]', PLATFORM_TOKEN);
  await page.fill('input[name=resource]', RESOURCE);
  await page.click('form[hx-post] button[type=submit]');
  await page.waitForSelector('#decision');
  if (SHOTS) await page.screenshot({ path: join(SHOTS, 'simulator-token.png'), fullPage: true });
  say({ step: 'simulatedToken', decision: (await page.textContent('#decision')).trim(),
    workload: (await page.textContent('#attested-workload')).trim() });

  // an address with an unencoded SPIFFE ID: refused by the web server, retried encoded by the page
  await page.goto(BASE + '/console/workload?id=' + WORKLOAD);
  await page.waitForURL(/%3A/);
  await page.waitForLoadState('load');
  say({ step: 'reencoded', url: page.url(), title: await page.title() });

  // a POST without the CSRF token is refused
  const csrfStatus = await page.evaluate(async (id) => {
    const r = await fetch('/console/credentials/revoke', { method: 'POST', body: new URLSearchParams({ id }) });
    return r.status;
  }, lease);
  say({ step: 'csrf', status: csrfStatus });
  // single sign-on: sign out, then through the identity provider and back to the page asked for
  await page.goto(BASE + '/console/');
  await Promise.all([page.waitForNavigation(), page.click('header form button')]);
  await page.goto(BASE + '/console/audit');
  if (!page.url().includes('/console/login')) fail('not signed out: ' + page.url());
  await Promise.all([page.waitForURL(/\/console\/audit$/), page.click('#sso')]);
  await page.waitForLoadState('load');
  say({ step: 'sso', url: page.url(), who: (await page.textContent('header .who span')).trim() });

  // those refusals are expected (the CSRF test's 403, the unencoded address's 400): the browser
  // logs them as failed resource loads, not page errors
  const unexpected = errors.filter((e) => !e.includes('403') && !e.includes('status of 400'));
  say({ step: 'consoleErrors', errors: unexpected });
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
