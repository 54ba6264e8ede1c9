// The sales back office in a real browser (Chromium, driven by playwright-core): a staff
// member signs in at the local staff directory, invites a customer, sees the row appear,
// resends, revokes (with the confirmation step), reads the history; the page fits a phone;
// a staff member without the role is refused.
//
// Run:   node --test tests/browser/
// Needs: target/debug/handler (cargo build --bin handler), the Node packages (npm ci) and
//        Chromium at /usr/bin/chromium, or another Chromium named by CHROMIUM_PATH.
// Screenshots and logs go to test-artifacts/staff-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, stack } from './stack.mjs';
import { audit } from './axe.mjs';
import { watchCsp } from './csp.mjs';

const TEST_TIMEOUT_MS = 60_000;
const { log, running, cleanup, start } = stack({ name: 'staff', logPrefix: 'staff-', timeoutMs: TEST_TIMEOUT_MS });

/** Signs in at the staff directory's login page (the browser is on it). */
async function signInAtDirectory(page, base, email, role) {
  assert.ok(page.url().includes('/staff/v2.0/interaction/'), `on the staff directory's login page, not ${page.url()}`);
  await page.fill('#email', email);
  await page.fill('#password', 'any-password-will-do');
  await page.fill('#name', 'Tamer Mohamed-Nour');
  await page.setChecked('#role', role);
  await Promise.all([
    page.waitForURL((url) => url.origin === base, { waitUntil: 'load' }),
    page.click('#next'),
  ]);
}

/** Clicks `selector` and waits for the next page to load. */
async function follow(page, selector) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    page.click(selector),
  ]);
  await page.waitForLoadState('load');
}

test('a sales person signs in, invites, resends, revokes and reads the history', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { services, base } = await start();
  const context = await running.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
  const cspViolations = await watchCsp(context);
  const a11y = audit(context, base);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  const staff = `tamer.${randomBytes(4).toString('hex')}@gfms.example`;
  const customer = `willy.${randomBytes(5).toString('hex')}@customer.example`;

  try {
    // 1. Sign in at the staff directory, with the role.
    await page.goto(`${base}/api/Staff`);
    await signInAtDirectory(page, base, staff, true);
    assert.equal(new URL(page.url()).pathname, '/api/Staff');
    assert.match(await page.textContent('h1'), /Invitations/);
    assert.match(await page.textContent('header'), /Tamer Mohamed-Nour/);
    await a11y.check(page, 'the back office');

    // 2. An invalid address: its message beside the field, in a sentence, and a red border.
    await page.fill('#f-email', 'not-an-address');
    await follow(page, '#send-invitation');
    assert.match(await page.textContent('#f-email-error'), /^Enter a valid email address/);
    const border = await page.$eval('#f-email', (e) => getComputedStyle(e).borderTopColor);
    assert.equal(border, 'rgb(185, 28, 28)', 'an invalid email field has a red border');
    await a11y.check(page, 'the invitation form with an error');

    // Invite a customer: the link is shown once, the row appears.
    await page.fill('#f-email', customer);
    await page.fill('#f-display-name', 'Willy URS');
    await page.selectOption('#f-locale', 'fr');
    await page.fill('#f-company-name', 'URS Machining SA');
    await page.fill('#f-company-vat', 'BE0123456749');
    await page.fill('#f-company-country', 'BE');
    await follow(page, '#send-invitation');
    assert.match(await page.inputValue('#invite-url'), /\/api\/InviteUser\?invitationId=/);
    const row = page.locator(`tr[data-email="${customer}"]`);
    assert.equal(await row.getAttribute('data-status'), 'pending');
    await page.screenshot({ path: path.join(artifacts, 'staff-office.png'), fullPage: true });
    await a11y.check(page, 'the back office with the new link');
    // Its event did not arrive (the test's receiver refuses): listed with a Redeliver button.
    assert.match(await page.textContent('#events'), /invitation\.created/);
    assert.equal(await page.locator('#events button:has-text("Redeliver")').count(), 1);
    // The post was answered with a redirect: reloading shows the list, it posts nothing.
    assert.equal(new URL(page.url()).pathname, '/api/Staff');
    await page.reload({ waitUntil: 'load' });
    assert.equal(await page.locator(`tr[data-email="${customer}"]`).count(), 1, 'one invitation after a reload');
    assert.equal(await page.locator('#invite-url').count(), 0, 'the link is shown only once');
    // The action cell stays a table cell (row borders intact); Revoke is red, Resend orange.
    assert.equal(await row.locator('td.actions').evaluate((e) => getComputedStyle(e).display), 'table-cell');
    const background = (selector) => row.locator(selector).evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(await background('a:has-text("Revoke")'), 'rgb(185, 28, 28)', 'Revoke is red');
    assert.equal(await background('a:has-text("Resend")'), 'rgb(194, 65, 12)', 'Resend is orange');

    // 3. Resend, after the confirmation step.
    await follow(page, `tr[data-email="${customer}"] a:has-text("Resend")`);
    assert.match(await page.textContent('h1'), /Resend the invitation\?/);
    await a11y.check(page, 'the confirmation of a resend');
    await follow(page, '#confirm');
    assert.match(await page.textContent('#sent'), /resent/i);
    assert.match(await page.inputValue('#invite-url'), /\/api\/InviteUser\?invitationId=/);
    await a11y.check(page, 'the invitation after a resend');

    // 4. Revoke, after the confirmation step: the history tells the story.
    await follow(page, '#revoke');
    assert.match(await page.textContent('h1'), /Revoke the invitation\?/);
    await a11y.check(page, 'the confirmation of a revoke');
    await follow(page, '#confirm');
    assert.equal((await page.textContent('#status')).trim(), 'Revoked');
    const history = await page.textContent('#history');
    for (const event of ['Created', 'Resent', 'Revoked']) assert.ok(history.includes(event), `the history shows ${event}: ${history}`);
    assert.ok(history.includes(staff), 'the history names the staff member');
    await page.screenshot({ path: path.join(artifacts, 'staff-history.png'), fullPage: true });
    await a11y.check(page, 'the revoked invitation and its history');

    // 5. On a phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/api/Staff?lang=fr`);
    assert.match(await page.textContent('#invite-heading'), /Inviter un client/);
    // Issue #28, item 10: the switch marks the language the page is in.
    assert.deepEqual(await page.locator('.staff-bar .tools a[aria-current="true"]').evaluateAll((as) => as.map((a) => a.id)),
      ['language-fr'], 'the back office marks French as the current language');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the back office fits a phone's width (overflow ${overflow}px)`);
    await page.screenshot({ path: path.join(artifacts, 'staff-phone.png'), fullPage: true });
    await a11y.check(page, 'the back office on a phone');
    assert.deepEqual(pageErrors, []);

    // 6. Sign out (in French, on the phone): through the staff directory's end-session
    // endpoint (the form's post ends there: the CSP form-action allows it), back on the
    // signed-out page; the back office then asks for a sign-in again.
    const staffOrigin = new URL(services.staffMetadataUrl).origin;
    const visited = [];
    const onRequest = (req) => { if (req.isNavigationRequest()) visited.push(req.url()); };
    page.on('request', onRequest);
    await Promise.all([
      page.waitForURL((url) => url.origin === base && url.pathname === '/api/Staff/signedout', { waitUntil: 'load' }),
      page.click('#sign-out'),
    ]);
    page.off('request', onRequest);
    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation');
    assert.ok(visited.some((u) => u.startsWith(`${staffOrigin}/`) && new URL(u).pathname.endsWith('/logout')),
      `sign-out goes through the staff directory's end_session_endpoint; the browser went to: ${visited.join(', ')}`);
    assert.match(await page.textContent('h1'), /déconnecté/i);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    await a11y.check(page, 'the signed-out page');
    a11y.assertEveryPageChecked();
    await page.goto(`${base}/api/Staff`);
    assert.ok(page.url().includes('/staff/v2.0/interaction/'), `after signing out the back office asks for a sign-in, but the browser is at ${page.url()}`);

    // 7. Someone without the role, in another browser: a 403 page.
    const otherContext = await running.browser.newContext({ locale: 'en-US' });
    const otherA11y = audit(otherContext, base);
    const other = await otherContext.newPage();
    const statuses = [];
    other.on('response', (res) => { if (new URL(res.url()).pathname === '/api/StaffCallback') statuses.push(res.status()); });
    await other.goto(`${base}/api/Staff`);
    await signInAtDirectory(other, base, `nora.${randomBytes(4).toString('hex')}@gfms.example`, false);
    assert.deepEqual(statuses, [403]);
    assert.match(await other.textContent('h1'), /Not allowed/);
    assert.equal(await other.locator('#invite-form').count(), 0);
    await otherA11y.check(other, 'the refusal without the role');
    otherA11y.assertEveryPageChecked();
  } catch (err) {
    await page.screenshot({ path: path.join(artifacts, 'staff-failure.png'), fullPage: true }).catch(() => {});
    err.message += `\n(browser at ${page.url()}; logs in test-artifacts/staff-handler.log)`;
    throw err;
  }
  await cleanup();
});
