// Passkeys in a real Chromium with a virtual authenticator (the DevTools Protocol's
// WebAuthn domain, through playwright-core's CDP session): a customer adds a passkey on
// the profile, signs out, and the next sign-in asks for it and is finished by it; a
// browser whose authenticator lacks the passkey cannot pass that step. The handler's
// PUBLIC_BASE_URL is http://localhost:… (WebAuthn refuses an IP address as the RP ID).
// Every page shown is checked with axe; any Content-Security-Policy violation fails.
//
// Run:   node --test tests/browser/passkeys.test.mjs
// Needs: what journey.test.mjs needs.

import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stack } from './stack.mjs';
import { watchedPage } from './watched.mjs';
import { watchCsp } from './csp.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { follow, h1, signInAtB2c } from './phone.mjs';

const TEST_TIMEOUT_MS = 90_000;
const { logs, running, start } = stack({ name: 'passkeys', logPrefix: 'passkeys-', timeoutMs: TEST_TIMEOUT_MS });

/** A virtual platform authenticator (user verification, resident keys) for `page`'s browser. */
async function authenticator(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

test('a passkey added on the profile finishes the next sign-in; a browser without it cannot', { timeout: TEST_TIMEOUT_MS }, async () => {
  const { services, base } = await start({ host: 'localhost' });
  const api = base.replace('localhost', '127.0.0.1');
  const email = `pia.passkey.${randomBytes(4).toString('hex')}@customer.example`;
  await invite(api, await staffToken(services), {
    email,
    company: { name: 'Passkey SA', vatNumber: 'BE0123456749', street: 'Rue Haute 1', postalCode: '1000', city: 'Bruxelles', country: 'BE' },
  });
  const link = inviteLink(await emailTo(services.maildevUrl, email, logs));
  assert.ok(link.startsWith(base), `the link names PUBLIC_BASE_URL (${link})`);

  const context = await running.browser.newContext({ locale: 'en-GB' });
  const { violations, a11y, page, pageErrors } = await watchedPage(context, base);
  const { cdp, authenticatorId } = await authenticator(context, page);

  // Onboarded, on the profile: a passkey named and created.
  await page.goto(link);
  await signInAtB2c(page, base, email);
  assert.equal(new URL(page.url()).pathname, '/api/CreateCompany');
  await a11y.check(page, 'the company form');
  await follow(page, '#create-company');
  assert.equal(new URL(page.url()).pathname, '/api/Home');
  await a11y.check(page, 'Home');
  await follow(page, '#profile-link');
  assert.match(await page.textContent('#passkey-start'), /passkey/);
  await a11y.check(page, 'the profile, passkeys offered');
  await page.fill('#passkey-name', 'This laptop');
  await follow(page, '#passkey-start');
  assert.equal(await h1(page), 'Add a passkey');
  assert.equal(await page.isHidden('#passkey-unsupported'), true, 'this browser has WebAuthn');
  await a11y.check(page, 'the page that adds a passkey');
  await follow(page, '#passkey-button');
  assert.equal(new URL(page.url()).pathname, '/api/Profile');
  assert.match(await page.textContent('#notice'), /Your passkey is added/);
  assert.match(await page.textContent('#passkeys'), /This laptop/);
  await a11y.check(page, 'the profile with a passkey');
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  assert.equal(credentials.length, 1, 'the authenticator holds one credential');
  assert.equal(credentials[0].rpId, 'localhost', 'bound to the host of PUBLIC_BASE_URL');

  // Signed out, then in again: the step asks for the passkey, and nothing else.
  await Promise.all([
    page.waitForURL((url) => url.origin === base && url.pathname === '/api/SignedOut', { waitUntil: 'load' }),
    page.click('#sign-out'),
  ]);
  await a11y.check(page, 'the signed-out page');
  await page.goto(`${base}/api/SignIn`);
  await signInAtB2c(page, base, email);
  assert.equal(new URL(page.url()).pathname, '/api/Profile/mfa');
  assert.equal(await h1(page), "Confirm it's you");
  assert.match(await page.textContent('#passkey-button'), /passkey/);
  assert.equal(await page.locator('#code-form').count(), 0, 'no code without the app');
  await a11y.check(page, 'the passkey step');

  // Another browser, whose authenticator does not hold the passkey: refused, not signed in.
  const stranger = await running.browser.newContext({ locale: 'en-GB' });
  const strangersCsp = await watchCsp(stranger);
  const other = await stranger.newPage();
  other.setDefaultTimeout(10_000);
  await authenticator(stranger, other);
  await other.goto(`${base}/api/SignIn`);
  await signInAtB2c(other, base, email);
  assert.equal(new URL(other.url()).pathname, '/api/Profile/mfa');
  await other.click('#passkey-button');
  await other.waitForFunction(() => document.getElementById('passkey-error').textContent.length > 0);
  assert.match(await other.textContent('#passkey-error'), /No passkey was used/);
  assert.equal(new URL(other.url()).pathname, '/api/Profile/mfa', 'still at the step');
  const home = await other.request.get(`${base}/api/Home`, { maxRedirects: 0 });
  assert.equal(home.status(), 302, 'the other browser is not signed in');
  assert.deepEqual(strangersCsp, []);
  await stranger.close();

  // The passkey finishes the sign-in.
  await follow(page, '#passkey-button');
  assert.equal(new URL(page.url()).pathname, '/api/Home');
  await a11y.check(page, 'Home after the passkey');
  await page.goto(`${base}/api/Profile`);
  assert.match(await page.textContent('#passkeys'), /last used/);
  await a11y.check(page, 'the profile, the passkey used');

  assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
  assert.deepEqual(pageErrors, [], 'no script error');
  a11y.assertEveryPageChecked();
});
