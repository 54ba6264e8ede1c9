// The whole customer journey once more, in German at phone width, in a real Chromium:
// the invitation email in German, the provider's sign-in, the company form (labels, the
// browser's field errors, the button), Home, the profile, the authenticator app turned on
// (code computed here from the secret read off the page, recovery codes), sign-out
// through the provider to the signed-out page, a sign-in again that asks for the code
// before Home, where wrong codes lock the app's codes out and a recovery code gets in. Every page says `<html lang="de">` and `Content-Language: de`, fits the
// phone, and shows none of the English wording checked below. Any Content-Security-Policy
// violation fails the test.
//
// Run:   node --test tests/browser/
// Needs: what journey.test.mjs needs. Screenshots in test-artifacts/german-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, sleep, stack } from './stack.mjs';
import { watchedPage } from './watched.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { PHONE, fitsThePhone, follow, h1, signInAtB2c, totp } from './phone.mjs';

const TEST_TIMEOUT_MS = 150_000;
const { log, logs, running, cleanup, start } = stack({ name: 'german', logPrefix: 'german-', timeoutMs: TEST_TIMEOUT_MS });

/** Words of the English pages that a German page must not show. */
const ENGLISH = /Sign in|Sign out|Create company|Welcome to|Your profile|Authenticator app|Skip to content|What next|This field is required|Enter the/;

test('a German customer on a phone follows the invitation, creates the company, turns on an authenticator app and signs in with it, all in German', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { services, base } = await start();
  const idpOrigin = new URL(services.b2cMetadataUrl).origin;

  // The sales person invites a German customer, company data pre-filled.
  const email = `jonas.weber.${randomBytes(4).toString('hex')}@kunde.example`;
  const company = { name: 'Weber Präzision GmbH', vatNumber: 'DE136695976', street: 'Industriestraße 7', postalCode: '70565', city: 'Stuttgart', country: 'DE' };
  await invite(base, await staffToken(services), { email, displayName: 'Jonas Weber', locale: 'de', company });
  const mail = await emailTo(services.maildevUrl, email, logs);
  assert.match(String(mail.subject), /hat Sie zu .+ eingeladen$/, `the subject is German: ${mail.subject}`);
  assert.match(String(mail.text), /^Guten Tag Jonas Weber,/, 'the email greets formally, in German');
  assert.match(String(mail.text), /Jetzt loslegen:/);
  assert.match(String(mail.html), /<html lang="de">/);
  assert.doesNotMatch(String(mail.text), /Get started|has invited you|Hello/, 'no English in the email');
  const link = inviteLink(mail);

  const context = await running.browser.newContext({ locale: 'de-DE', viewport: PHONE, isMobile: true, hasTouch: true });
  const { violations, a11y, page, pageErrors } = await watchedPage(context, base);
  const languages = [];
  let switching = false; // while the test tries the language switch: pages in other languages
  page.on('response', (res) => {
    if (!switching && res.url().startsWith(base) && (res.headers()['content-type'] || '').startsWith('text/html')) {
      languages.push(`${new URL(res.url()).pathname} ${res.headers()['content-language']}`);
    }
  });
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `german-${name}.png`), fullPage: true });
  /** The page is German, fits the phone, shows no English wording, and is accessible. */
  const german = async (what) => {
    assert.equal(await page.getAttribute('html', 'lang'), 'de', `${what}: <html lang="de">`);
    assert.doesNotMatch(await page.textContent('body'), ENGLISH, `${what} shows no English`);
    await fitsThePhone(page, what);
    await shot(what.replace(/\W+/g, '-'));
    await a11y.check(page, what);
  };
  /** The language switch names all five languages and marks the page's own as current. */
  const switchMarks = async (lang, what) => {
    const links = page.locator('nav.language a');
    assert.equal(await links.count(), 5, `${what}: the switch offers all five languages`);
    assert.deepEqual(await page.locator('nav.language a[aria-current="true"]').evaluateAll((as) => as.map((a) => a.id)),
      [`language-${lang}`], `${what}: the switch marks the current language`);
  };
  /**
   * Issue #28, item 10: the switch on `what`, a page that answers a post or a refusal,
   * shows it in `lang` (what `same` reads stays), then in German again.
   */
  const switchAndBack = async (lang, what, same) => {
    await switchMarks('de', what);
    const before = await same();
    switching = true;
    await follow(page, `#language-${lang}`);
    assert.equal(await page.getAttribute('html', 'lang'), lang, `${what}: switched to ${lang}`);
    await switchMarks(lang, `${what} in ${lang}`);
    assert.equal(await same(), before, `${what}: switching the language keeps what the page holds`);
    await a11y.check(page, `${what} in ${lang}`);
    await follow(page, '#language-de');
    switching = false;
    assert.equal(await same(), before, `${what}: back in German, still the same`);
  };

  try {
    // 1. The link, the provider, the company form in German, pre-filled.
    await page.goto(link);
    await signInAtB2c(page, base, email);
    assert.equal(new URL(page.url()).pathname, '/api/CreateCompany');
    assert.equal(await h1(page), 'Legen Sie Ihr Unternehmen an');
    assert.match(await page.textContent('#intro'), /hat diese Angaben für Sie vorbereitet/);
    assert.equal((await page.textContent('label[for="vatNumber"]')).trim(), 'USt-IdNr.');
    assert.equal(await page.inputValue('#name'), company.name);
    await german('company form');

    // 2. An empty name: the browser's error, in German; the name typed back.
    await page.fill('#name', '');
    await page.locator('#name').blur();
    assert.equal((await page.textContent('#name-error')).trim(), 'Dieses Feld ist erforderlich.');
    assert.equal(await page.locator('#create-company').isDisabled(), true);
    await page.fill('#postalCode', '7056');
    await page.locator('#postalCode').blur();
    assert.equal((await page.textContent('#postalCode-error')).trim(), 'Geben Sie eine gültige Postleitzahl für das Land ein.');
    await page.fill('#postalCode', company.postalCode);
    await page.fill('#name', company.name);
    assert.equal((await page.textContent('#create-company')).trim(), 'Unternehmen anlegen');
    await german('company form with errors');
    await follow(page, '#create-company');

    // 3. Home, in German.
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    assert.equal(await h1(page), 'Willkommen bei GFMS Customer Portal');
    assert.match(await page.textContent('#companies'), /Weber Präzision GmbH · Administrator/);
    await german('home');
    // A company page that is not the person's: the 404 page offers the switch.
    await page.goto(`${base}/api/companies/no-such-company`);
    assert.equal(await h1(page), 'Dieses Unternehmen ist für Sie nicht verfügbar');
    await german('company not found');
    await switchAndBack('nl', 'company not found', () => new URL(page.url()).pathname);
    assert.equal(await h1(page), 'Dieses Unternehmen ist für Sie nicht verfügbar');
    await german('company not found, German again');
    await page.goto(`${base}/api/Home`);

    // 4. The profile, then the authenticator app turned on.
    await follow(page, '#profile-link');
    assert.equal(await h1(page), 'Ihr Profil');
    assert.match(await page.textContent('#logins'), /E-Mail und Passwort\s+· verknüpft am \d+\. \S+ \d{4}/);
    await german('profile');
    await follow(page, '#mfa-start');
    assert.equal(await h1(page), 'Authenticator-App aktivieren');
    await page.click('#manual summary');
    const secret = ((await page.textContent('#secret')) || '').replace(/\s+/g, '');
    await switchMarks('de', 'the authenticator page');
    await german('authenticator app');
    await page.fill('#code', '000000');
    await follow(page, '#submit-code');
    assert.match(await page.textContent('#code-error'), /Dieser Code ist nicht richtig|Geben Sie die 6 Ziffern/);
    await german('wrong code');
    // The wrong code's answer offers the switch; the same enrolment (secret) is shown.
    const secretShown = async () => ((await page.textContent('#secret')) || '').replace(/\s+/g, '');
    await switchAndBack('fr', 'wrong enrolment code', secretShown);
    assert.equal(await secretShown(), secret);
    await german('enrolment after switching back');
    if (30 - (Date.now() / 1000) % 30 < 3) await sleep(3_000);
    await page.fill('#code', totp(secret, Date.now() / 1000 - 30));
    await follow(page, '#submit-code');
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    const recovery = (await page.locator('#recovery-codes li').allTextContents()).map((c) => c.trim());
    assert.equal(await h1(page), 'Die Authenticator-App ist aktiviert');
    await german('recovery codes');
    await follow(page, '#done');
    assert.match(await page.textContent('#notice'), /Authenticator-App ist aktiviert/);
    await german('profile with MFA on');

    // 5. Sign-out through the provider, back on the German signed-out page.
    await follow(page, '#sign-out', base);
    assert.equal(new URL(page.url()).pathname, '/api/SignedOut');
    assert.equal(await h1(page), 'Sie sind abgemeldet');
    await german('signed out');

    // 6. A sign-in again asks for the code, in German, before Home.
    await follow(page, 'main a.button', idpOrigin);
    if (page.url().includes('/interaction/')) await signInAtB2c(page, base, email);
    assert.equal(new URL(page.url()).pathname, '/api/Profile/mfa');
    assert.equal(await h1(page), 'Geben Sie Ihren Code ein');
    await german('code at sign-in');
    // The code page and a wrong code's answer offer the switch; the held sign-in stays.
    await switchMarks('de', 'code at sign-in');
    await page.fill('#code', '000000');
    await follow(page, '#submit-code');
    await german('wrong code at sign-in');
    switching = true;
    await follow(page, '#language-it');
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    assert.equal(new URL(page.url()).pathname, '/api/Profile/mfa', 'still the code page: the sign-in is held');
    await switchMarks('it', 'code at sign-in in Italian');
    await a11y.check(page, 'code at sign-in in Italian');
    await page.fill('#code', '000000');
    await follow(page, '#submit-code');
    assert.equal(await page.getAttribute('html', 'lang'), 'it', 'a wrong code is answered in the language chosen');
    await a11y.check(page, 'wrong code at sign-in in Italian');
    switching = false;
    await follow(page, '#language-de');
    assert.equal(await h1(page), 'Geben Sie Ihren Code ein');
    await german('code at sign-in, German again');
    // Issue #28, item 2: five wrong codes lock the app's codes out (two were given above);
    // the page then asks for a recovery code, which gets the person in.
    for (let i = 0; i < 4; i += 1) {
      await page.fill('#code', '000000');
      await follow(page, '#submit-code');
    }
    assert.equal(await page.textContent('label[for=code]'), 'Wiederherstellungscode');
    assert.match(await page.textContent('#code-error'), /Wiederherstellungscodes ein/);
    await german('locked out, asking for a recovery code');
    await page.fill('#code', recovery[0]);
    await follow(page, '#submit-code');
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    assert.equal(await h1(page), 'Willkommen bei GFMS Customer Portal');
    await german('home after the code');
    a11y.assertEveryPageChecked();

    const notGerman = languages.filter((l) => !l.endsWith(' de'));
    assert.deepEqual(notGerman, [], 'every page of the service says Content-Language: de');
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught JavaScript errors');
  } catch (err) {
    await shot('failure').catch(() => {});
    err.message += `\n(browser at ${page.url()}; logs in test-artifacts/german-handler.log)`;
    throw err;
  }
  await cleanup();
});
