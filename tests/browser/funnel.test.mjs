// The back office's funnel in a real browser (Chromium, driven by playwright-core): after
// two invitations, one of them opened, the funnel above the list draws its bars (an SVG
// hidden from screen readers, no script, no CSP violation) beside a table that says the
// numbers and shares; axe finds nothing, in English and in German.
//
// Run:   node --test tests/browser/funnel.test.mjs
// Needs: target/debug/handler (cargo build --bin handler), the Node packages (npm ci) and
//        Chromium at /usr/bin/chromium, or another Chromium named by CHROMIUM_PATH.
// Screenshots and logs go to test-artifacts/funnel-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, stack } from './stack.mjs';
import { audit } from './axe.mjs';
import { watchCsp } from './csp.mjs';

const TEST_TIMEOUT_MS = 60_000;
const { running, cleanup, start } = stack({ name: 'funnel', logPrefix: 'funnel-', timeoutMs: TEST_TIMEOUT_MS });

test('the funnel shows the last 30 days as bars and as text a screen reader reads', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { base } = await start();
  const context = await running.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const cspViolations = await watchCsp(context);
  const a11y = audit(context, base);
  const page = await context.newPage();
  try {
    await page.goto(`${base}/api/Staff`);
    await page.fill('#email', `tamer.${randomBytes(4).toString('hex')}@gfms.example`);
    await page.fill('#password', 'any-password-will-do');
    await page.fill('#name', 'Tamer Mohamed-Nour');
    await page.setChecked('#role', true);
    await Promise.all([page.waitForURL((url) => url.origin === base, { waitUntil: 'load' }), page.click('#next')]);
    assert.equal(await page.locator('#funnel-table').count(), 1, 'a funnel with nothing sent yet');
    await a11y.check(page, 'the back office with an empty funnel');

    let link;
    for (const n of [1, 2]) {
      await page.fill('#f-email', `willy.${n}.${randomBytes(5).toString('hex')}@customer.example`);
      await Promise.all([page.waitForURL(/\/api\/Staff/, { waitUntil: 'load' }), page.click('#send-invitation')]);
      link = await page.inputValue('#invite-url');
    }
    // The customer opens the second link (in a browser of their own).
    const customer = await running.browser.newContext();
    const response = await customer.request.get(link, { maxRedirects: 0 });
    assert.equal(response.status(), 302);
    await customer.close();
    await page.goto(`${base}/api/Staff?lang=en`);

    const chart = page.locator('#funnel-chart');
    assert.equal(await chart.getAttribute('aria-hidden'), 'true');
    const bars = await chart.locator('rect').evaluateAll((rects) => rects.map((r) => Math.round(r.getBoundingClientRect().width)));
    assert.deepEqual(bars, [240, 240, 120, 120, 0, 0, 0, 0], 'sent, opened (half), signed in, company: mine and everyone\'s');
    const fill = await chart.locator('rect.bar-mine').first().evaluate((r) => getComputedStyle(r).fill);
    assert.equal(fill, 'rgb(29, 78, 216)', 'the bars take their colour from staff.css');
    const rows = await page.locator('#funnel-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.innerText.split('\t').map((c) => c.trim())));
    assert.deepEqual(rows[0], ['Sent', '2 (100 %)', '2 (100 %)']);
    assert.deepEqual(rows[1], ['Opened', '1 (50 %)', '1 (50 %)']);
    const table = page.getByRole('table', { name: /last 30 days/ });
    assert.equal(await table.count(), 1, 'the table is named by its caption');
    await page.locator('#funnel').screenshot({ path: path.join(artifacts, 'funnel.png') });
    await a11y.check(page, 'the back office with its funnel');

    await page.goto(`${base}/api/Staff?lang=de`);
    assert.match(await page.textContent('#funnel-heading'), /Die letzten 30 Tage/);
    assert.match(await page.textContent('#funnel-table'), /Geöffnet\s*1 \(50 %\)/);
    await a11y.check(page, 'the funnel in German');
    a11y.assertEveryPageChecked();
    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
  } catch (err) {
    await page.screenshot({ path: path.join(artifacts, 'funnel-failure.png'), fullPage: true }).catch(() => {});
    err.message += `\n(browser at ${page.url()}; logs in test-artifacts/funnel-handler.log)`;
    throw err;
  }
  await cleanup();
});
