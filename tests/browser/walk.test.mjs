// Every button and link of the customer's pages, in French at phone width, in a real
// Chromium: an invitation with no name and no company data, the company form (the country
// list, the wording for an empty form), Home, the language switch (remembered on the
// account across a sign-out and a new sign-in, whatever the browser's language), the
// profile's links, sign-out through the provider, the signed-out page's sign-in, Home
// when signed out, the already-used invitation link; then the back office shows the
// company the customer created, in French. Any Content-Security-Policy violation fails.
//
// Run:   node --test tests/browser/
// Needs: what journey.test.mjs needs. Screenshots in test-artifacts/walk-*.

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, stack } from './stack.mjs';
import { watchedPage } from './watched.mjs';
import { clickThrough } from './csp.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { PHONE, fitsThePhone, follow, h1, signInAtB2c } from './phone.mjs';

const TEST_TIMEOUT_MS = 90_000;
const { log, logs, running, cleanup, start } = stack({ name: 'walk', logPrefix: 'walk-', timeoutMs: TEST_TIMEOUT_MS });


test('a French customer on a phone clicks every button of their pages; the language they choose stays theirs', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { services, base } = await start();
  const idpOrigin = new URL(services.b2cMetadataUrl).origin;

  // An invitation in French with no name and no company data.
  const email = `bert.mobile.${randomBytes(4).toString('hex')}@customer.example`;
  const created = await invite(base, await staffToken(services), { email, locale: 'fr' });
  const mail = await emailTo(services.maildevUrl, email, logs);
  assert.match(String(mail.text), /^Bonjour,/, 'without a name the email greets plainly');
  assert.doesNotMatch(String(mail.text), /Bonjour bert|lui ou elle/);
  const link = inviteLink(mail);

  const context = await running.browser.newContext({ locale: 'fr-FR', viewport: PHONE, isMobile: true, hasTouch: true });
  const { violations, a11y, page, pageErrors } = await watchedPage(context, base);
  const shot = (name) => page.screenshot({ path: path.join(artifacts, `walk-${name}.png`), fullPage: true });

  try {
    // 1. The link, the provider, the company form in French, for an empty form.
    await page.goto(link);
    await signInAtB2c(page, base, email);
    assert.equal(new URL(page.url()).pathname, '/api/CreateCompany');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.match(await page.textContent('#intro'), /Indiquez les informations de votre entreprise/);
    assert.doesNotMatch(await page.textContent('main'), /a préparé ces informations/, 'no "filled in for you" above an empty form');
    await a11y.check(page, 'the empty company form');
    // Without JavaScript the list names the countries too, in French, sorted by name: the
    // server renders them (the same session, in a browser that runs no script).
    const noScript = await running.browser.newContext({
      locale: 'fr-FR', viewport: PHONE, isMobile: true, hasTouch: true, javaScriptEnabled: false, storageState: await context.storageState(),
    });
    const bare = await noScript.newPage();
    bare.setDefaultTimeout(10_000);
    await bare.goto(`${base}/api/CreateCompany`);
    assert.equal(await bare.locator('select#country option[value="BE"]').textContent(), 'Belgique');
    const names = (await bare.locator('select#country option').allTextContents()).slice(1);
    assert.equal(names[0], 'Afghanistan');
    const at = (name) => names.indexOf(name);
    assert.ok(at('Égypte') < at('Émirats arabes unis') && at('Émirats arabes unis') < at('Équateur'),
      `sorted by name, accents aside: ${names.slice(at('Égypte'), at('Espagne') + 1).join(', ')}`);
    // (No axe here: it needs the page's script engine; the same page with it was checked.)
    await noScript.close();
    // The favicon is named and served.
    const icon = await page.getAttribute('link[rel="icon"]', 'href');
    const iconResponse = await page.request.get(new URL(icon, base).href);
    assert.equal(iconResponse.status(), 200, `the favicon ${icon} is served`);
    assert.match(iconResponse.headers()['content-type'], /^image\//);
    // The country is a list of countries, named in French, the code as the value.
    const country = page.locator('select#country');
    assert.equal(await country.locator('option[value="BE"]').textContent(), 'Belgique');
    await page.fill('#name', 'Mobile SRL');
    await page.fill('#street', 'Rue Haute 1');
    await page.fill('#postalCode', '75001');
    await page.fill('#city', 'Paris');
    await country.selectOption('FR');
    await page.fill('#vatNumber', 'BE0123456749');
    await page.locator('#vatNumber').blur();
    const vatError = (await page.textContent('#vatNumber-error')).trim();
    assert.ok(vatError.length > 0, 'a Belgian VAT number is refused for France');
    assert.doesNotMatch(vatError, /BE0123456749/, `the VAT error gives no Belgian example for France: ${vatError}`);
    assert.match(vatError, /avec ou sans son préfixe de pays/, `the VAT error says what the form accepts: ${vatError}`);
    await a11y.check(page, 'the company form with a VAT error');
    await page.fill('#vatNumber', 'FR40303265045');
    await fitsThePhone(page, 'the company form');
    await shot('company-form');
    await follow(page, '#create-company');
    assert.equal(new URL(page.url()).pathname, '/api/Home');

    // 2. Home welcomes to the product and shows the company; the switch to English.
    assert.equal(await h1(page), 'Bienvenue sur GFMS Customer Portal');
    assert.match(await page.textContent('#companies'), /Mobile SRL/);
    await fitsThePhone(page, 'Home');
    await shot('home-fr');
    await a11y.check(page, 'Home in French');
    await follow(page, '#language-en');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await h1(page), 'Welcome to GFMS Customer Portal');
    await a11y.check(page, 'Home in English');
    await page.goto(`${base}/api/Home`);
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the choice stays for the session');
    await a11y.check(page, 'Home');

    // 3. Profile (English now): Home link back, then the profile again.
    await follow(page, '#profile-link');
    assert.equal(new URL(page.url()).pathname, '/api/Profile');
    assert.match(await page.textContent('main'), /Email address: /, 'English punctuation');
    await fitsThePhone(page, 'the profile');
    await a11y.check(page, 'the profile');
    await follow(page, '#home-link');
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    // The authenticator page: on a phone the secret wraps between its groups of four only.
    await follow(page, '#profile-link');
    await follow(page, '#mfa-start');
    await page.click('#manual summary');
    const lines = await page.$eval('#secret', (code) => {
      const text = code.firstChild;
      const tops = [];
      for (let i = 0; i < text.length; i += 1) {
        const range = document.createRange();
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        tops.push(Math.round(range.getBoundingClientRect().top));
      }
      const groups = [];
      let at = 0;
      for (const group of text.data.split(' ')) {
        groups.push(new Set(tops.slice(at, at + group.length)).size);
        at += group.length + 1;
      }
      return { lines: new Set(tops).size, groupsSplit: groups.filter((n) => n > 1).length };
    });
    assert.ok(lines.lines > 1, 'the secret takes more than one line on a phone');
    assert.equal(lines.groupsSplit, 0, 'no group of the secret is split across lines');
    await fitsThePhone(page, 'the authenticator page');
    await a11y.check(page, 'the authenticator page with the secret shown');
    await page.goto(`${base}/api/Profile`);
    for (const button of ['#link-microsoft', '#link-google']) {
      await clickThrough(page, button, idpOrigin, violations);
      assert.equal(await page.inputValue('#email'), email, `${button}: the provider's page names the account's address`);
      await page.goto(`${base}/api/Profile`);
    }

    // 4. Sign out through the provider, back on the signed-out page (English).
    await Promise.all([
      page.waitForURL((url) => url.origin === base && url.pathname === '/api/SignedOut', { waitUntil: 'load' }),
      page.click('#sign-out'),
    ]);
    assert.equal(await h1(page), 'You are signed out');
    await shot('signed-out');
    await a11y.check(page, 'the signed-out page');
    // Home when signed out asks for a sign-in, which comes back to Home.
    await page.goto(`${base}/api/Home`);
    assert.ok(page.url().startsWith(`${idpOrigin}/`), `Home when signed out leads to the sign-in, not ${page.url()}`);
    // The signed-out page's button: the provider, then Home in the remembered language,
    // though the browser asks for French.
    await page.goto(`${base}/api/SignedOut`);
    assert.equal(await page.getAttribute('html', 'lang'), 'fr', 'signed out, the browser language');
    await a11y.check(page, 'the signed-out page in French');
    await follow(page, 'main a.button', idpOrigin);
    await signInAtB2c(page, base, email);
    assert.equal(new URL(page.url()).pathname, '/api/Home');
    assert.equal(await page.getAttribute('html', 'lang'), 'en', 'the account remembers English');

    // 5. The invitation link again: "already used", with a sign-in button that works.
    await page.goto(link);
    assert.match(await h1(page), /déjà été utilisée|already been used/);
    await a11y.check(page, 'the already-used link');
    await follow(page, 'main a.button');
    assert.equal(new URL(page.url()).pathname, '/api/Home', `the sign-in button leads home (signed in at the provider still), not ${page.url()}`);

    // 6. Back to French with the switch on the profile; a sign-in again keeps it.
    await page.goto(`${base}/api/Profile`);
    await follow(page, '#language-fr');
    assert.equal(await page.getAttribute('html', 'lang'), 'fr');
    assert.match(await page.textContent('main'), /Adresse e-mail : /);
    await shot('profile-fr');
    await a11y.check(page, 'the profile in French');

    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
    assert.deepEqual(pageErrors, [], 'no uncaught JavaScript errors');
  } catch (err) {
    await shot('failure').catch(() => {});
    err.message += `\n(browser at ${page.url()}; logs in test-artifacts/walk-handler.log)`;
    throw err;
  }

  // 7. The back office, in French on the phone: the company the customer created, the
  // language named, no expiry for a completed invitation, no English word in the history.
  await page.goto(`${base}/api/Staff/invitations/${created.id}?lang=fr`);
  await page.fill('#email', `tamer.${randomBytes(3).toString('hex')}@gfms.example`);
  await page.fill('#password', 'any-password-will-do');
  await page.setChecked('#role', true);
  await follow(page, '#next', base);
  assert.match(await page.textContent('#created-company'), /Mobile SRL · FR40303265045/);
  assert.equal((await page.textContent('#language')).trim(), 'Français');
  assert.equal(await page.locator('#expires').count(), 0, 'a completed invitation shows no expiry');
  assert.doesNotMatch(await page.textContent('#history'), /system/);
  await fitsThePhone(page, 'the invitation page');
  await shot('staff-detail-fr');
  await a11y.check(page, "the back office's invitation page");
  a11y.assertEveryPageChecked();
  await cleanup();
});
