// A second person joins the company, in a real Chromium at phone width: the customer
// who created the company opens its page from Home and invites a colleague there; the
// colleague follows the email caught by maildev, signs in at the provider and lands on
// Home with the company listed, and its page shows them as a member (Leave, no invite
// form). Every page fits the phone; any Content-Security-Policy violation fails the test.
//
// Run:   node --test tests/browser/
// Needs: what journey.test.mjs needs. Screenshots in test-artifacts/organisations-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, stack } from './stack.mjs';
import { watchedPage } from './watched.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { PHONE, fitsThePhone, follow, h1, signInAtB2c } from './phone.mjs';

const TEST_TIMEOUT_MS = 90_000;
const { log, logs, running, cleanup, start } = stack({ name: 'organisations', logPrefix: 'organisations-', timeoutMs: TEST_TIMEOUT_MS });

const COMPANY = { name: 'URS Machining SA', vatNumber: 'BE0123456749', street: "Rue de l'Industrie 12", postalCode: '1400', city: 'Nivelles', country: 'BE' };

test('an administrator invites a colleague from the company page; the colleague follows the email, signs in and lands on Home with the company', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { services, base } = await start();
  const suffix = randomBytes(4).toString('hex');
  const anne = `anne.martin.${suffix}@customer.example`;
  const bert = `bert.keller.${suffix}@customer.example`;
  await invite(base, await staffToken(services), { email: anne, displayName: 'Anne Martin', company: COMPANY });
  const anneLink = inviteLink(await emailTo(services.maildevUrl, anne, logs));

  const person = async (name) => {
    const context = await running.browser.newContext({ locale: 'en-GB', viewport: PHONE, isMobile: true, hasTouch: true });
    const { violations, a11y, page, pageErrors: errors } = await watchedPage(context, base);
    const shot = (what) => page.screenshot({ path: path.join(artifacts, `organisations-${name}-${what}.png`), fullPage: true });
    const check = async (what) => {
      await fitsThePhone(page, `${name}: ${what}`);
      await shot(what.replace(/\W+/g, '-'));
      await a11y.check(page, `${name}: ${what}`);
    };
    return { page, violations, errors, shot, check, a11y };
  };
  const first = await person('anne');
  const second = await person('bert');

  try {
    // The administrator creates the company, then opens its page from Home.
    let { page } = first;
    await page.goto(anneLink);
    await signInAtB2c(page, base, anne);
    assert.equal(new URL(page.url()).pathname, '/api/CreateCompany');
    await first.check('company form');
    await follow(page, '#create-company');
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    await first.check('home');
    await follow(page, '#companies a.company-link');
    assert.match(new URL(page.url()).pathname, /^\/api\/Companies\/c/);
    const companyPath = new URL(page.url()).pathname;
    assert.equal(await h1(page), COMPANY.name);
    await first.check('company page');
    // Every field looks alike, whatever its type: the email field as the name field (size,
    // border, focus ring), and the role list's border and focus ring too.
    const look = (selector) => page.$eval(selector, (field) => {
      field.focus();
      const style = getComputedStyle(field);
      const box = field.getBoundingClientRect();
      return {
        width: Math.round(box.width),
        height: Math.round(box.height),
        border: `${style.borderTopWidth} ${style.borderTopStyle} ${style.borderTopColor} ${style.borderTopLeftRadius}`,
        focus: `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}`,
      };
    });
    const name = await look('#displayName');
    assert.ok(name.height >= 44 && name.focus.startsWith('3px solid'), `the name field is a styled field: ${JSON.stringify(name)}`);
    assert.deepEqual(await look('#email'), name, 'the email field looks like the name field');
    const role = await look('#role');
    assert.deepEqual([role.border, role.focus, role.width], [name.border, name.focus, name.width], 'the role list looks like the name field');

    // … and invites a colleague there: back on the page with a notice, the invitation pending.
    await page.fill('#email', bert);
    await page.fill('#displayName', 'Bert Keller');
    await page.selectOption('#role', 'member');
    await follow(page, '#invite');
    assert.equal(new URL(page.url()).pathname, companyPath);
    assert.match(await page.textContent('#notice'), /The invitation has been sent/);
    assert.match(await page.textContent('#pending'), /Bert Keller/);
    await first.check('invited');

    // The colleague follows the email, signs in and lands on Home with the company.
    const mail = await emailTo(services.maildevUrl, bert, logs);
    assert.match(String(mail.text), /\(anne\.martin\.[0-9a-f]+@customer\.example\) has invited you to join URS Machining SA/);
    page = second.page;
    await page.goto(inviteLink(mail));
    await signInAtB2c(page, base, bert);
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    assert.match(await page.textContent('#companies'), /URS Machining SA · member/);
    await second.check('home');
    await follow(page, '#companies a.company-link');
    assert.equal(new URL(page.url()).pathname, companyPath);
    assert.match(await page.textContent('#members'), /Anne Martin|anne\.martin/);
    assert.equal(await page.locator('#leave').count(), 1, 'a member can leave');
    assert.equal(await page.locator('#invite-form').count(), 0, 'a member cannot invite');
    await second.check('company page');

    // The administrator sees the colleague among the members, no longer pending.
    await first.page.reload();
    assert.match(await first.page.textContent('#members'), /Bert Keller/);
    assert.equal(await first.page.locator('#pending').count(), 0);
    await first.check('company page with a colleague');

    // Issue #28, item 8: Leave and Remove ask first, without JavaScript. The colleague's
    // Leave shows what would happen; Cancel goes back with nothing changed.
    await follow(page, '#leave');
    assert.equal(await h1(page), 'Leave URS Machining SA?');
    assert.equal(await page.locator('form input[name=confirm][value=yes]').count(), 1);
    await second.check('leave, asked first');
    await follow(page, '#cancel');
    assert.equal(new URL(page.url()).pathname, companyPath);
    assert.equal(await page.locator('#leave').count(), 1, 'still a member after Cancel');
    // The administrator's Remove names the colleague; confirming removes them.
    await follow(first.page, '#members form:has(input[name=remove]) button');
    assert.equal(await h1(first.page), 'Remove Bert Keller from URS Machining SA?');
    await first.check('remove, asked first');
    await follow(first.page, '#remove-confirm');
    assert.equal(new URL(first.page.url()).pathname, companyPath);
    assert.match(await first.page.textContent('#notice'), /removed/i);
    assert.doesNotMatch(await first.page.textContent('#members'), /Bert Keller/);
    await first.check('company page after removing');

    for (const who of [first, second]) who.a11y.assertEveryPageChecked();

    for (const who of [first, second]) {
      assert.deepEqual(who.violations, [], 'no Content-Security-Policy violation');
      assert.deepEqual(who.errors, [], 'no uncaught JavaScript errors');
    }
  } catch (err) {
    await first.shot('failure').catch(() => {});
    await second.shot('failure').catch(() => {});
    err.message += '\n(logs in test-artifacts/organisations-handler.log)';
    throw err;
  }
  await cleanup();
});
