// The customer's journey in a real browser (Chromium, driven by playwright-core):
// invitation email -> B2C sign-in -> company form -> welcome page; then the profile,
// the authenticator app turned on (QR code, "Show secret key", a code computed here
// from the secret read off the page, recovery codes), both Link buttons reaching the
// provider's sign-in page, sign-out through the provider's end-session endpoint back to
// the signed-out page, and a sign-in again that asks for the code before the welcome
// page. Any Content-Security-Policy violation fails the test (csp.mjs).
//
// Run:   node --test tests/browser/
// Needs: target/debug/handler (cargo build --bin handler), the Node packages
//        (npm ci) and Chromium at /usr/bin/chromium (apt-get install chromium),
//        or another Chromium named by CHROMIUM_PATH.
//
// Everything is real: local/services.mjs (Azurite, maildev, the OpenID stand-ins),
// the handler binary on a free port with its own table prefix, a staff token from
// the local staff directory, the email read back from maildev. Screenshots and
// logs go to test-artifacts/ (git-ignored). The whole test is bounded by hard
// timeouts and always stops what it started.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { artifacts, chromiumPath, CHROMIUM_ARGS, handlerBin, root, sleep, stack, tail } from './stack.mjs';
import { audit } from './axe.mjs';
import { clickThrough, watchCsp } from './csp.mjs';
import { emailTo, invite, inviteLink, staffToken } from './customer.mjs';
import { totp } from './phone.mjs';

const TEST_TIMEOUT_MS = 90_000;
const ORANGE = 'rgb(194, 65, 12)'; // #c2410c

const COMPANY = {
  name: 'URS Machining SA',
  vatNumber: 'BE0123456749',
  street: "Rue de l'Industrie 12",
  postalCode: '1400',
  city: 'Nivelles',
  country: 'BE',
};

const { log, logs, running, cleanup, startServices, startHandler } = stack({ name: 'journey', timeoutMs: TEST_TIMEOUT_MS });

// ------------------------------------------------------------------ helpers

/** "rgb(r, g, b)" / "rgba(r, g, b, a)" -> [r, g, b, a] */
function parseColour(css) {
  const m = String(css).match(/^rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*([\d.]+))?\)$/);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3]), m[4] === undefined ? 1 : Number(m[4])] : undefined;
}

/** Grey: an opaque colour with little saturation (HSL saturation at most 25 %). */
function isGrey(css) {
  const c = parseColour(css);
  if (!c || c[3] < 0.5) return false;
  const [r, g, b] = c.slice(0, 3).map((v) => v / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return true;
  const l = (max + min) / 2;
  const s = (max - min) / (1 - Math.abs(2 * l - 1));
  return s <= 0.25;
}

// ------------------------------------------------------------------ the test

test('a customer follows the invitation email, creates their company, turns on an authenticator app and signs in with it', { timeout: TEST_TIMEOUT_MS }, async () => {
  const started = Date.now();
  const step = (what) => log(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

  assert.ok(fs.existsSync(chromiumPath),
    `Chromium was not found at ${chromiumPath}: this test needs a real browser. ` +
    'Install it with "apt-get install chromium" (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium binary.');
  assert.ok(fs.existsSync(handlerBin),
    `${path.relative(root, handlerBin)} is missing: build it first with "cargo build --bin handler".`);
  let chromium;
  try {
    ({ chromium } = await import('playwright-core'));
  } catch (err) {
    assert.fail(`playwright-core cannot be loaded (${err.message}): run "npm ci" first.`);
  }
  fs.mkdirSync(artifacts, { recursive: true });
  // What an earlier run left must not pass for this run's evidence.
  for (const file of ['b2c-sign-in.png', 'company-form.png', 'company-form-invalid.png', 'home.png', 'mfa-enrol.png', 'mfa-recovery-codes.png', 'failure.png', 'failure.html']) {
    fs.rmSync(path.join(artifacts, file), { force: true });
  }

  // ---- the stack
  const services = await startServices();
  step('local services are up');
  const base = await startHandler(services);
  step(`handler answers at ${base}`);

  // ---- the sales person invites a customer
  const token = await staffToken(services);
  const email = `willy.${randomBytes(5).toString('hex')}@customer.example`;
  const created = await invite(base, token, {
    email,
    displayName: 'Willy URS',
    locale: 'en',
    expiresInDays: 7,
    company: COMPANY,
  });
  assert.equal(created.status, 'pending');
  assert.equal(typeof created.id, 'string');
  step(`invitation ${created.id} created for ${email}`);

  const mail = await emailTo(services.maildevUrl, email, logs);
  const link = inviteLink(mail);
  assert.ok(link.startsWith(`${base}/api/InviteUser?invitationId=`), `the link points at PUBLIC_BASE_URL (${base}): ${link}`);
  if (created.inviteUrl) assert.equal(link, created.inviteUrl, 'the email carries the link the API returned');
  step('email read from maildev');

  // ---- the customer, in Chromium
  running.browser = await chromium.launch({
    executablePath: chromiumPath,
    args: CHROMIUM_ARGS,
    timeout: 20_000,
  });
  const context = await running.browser.newContext({ locale: 'en-US', viewport: { width: 1100, height: 900 } });
  const cspViolations = await watchCsp(context);
  const a11y = audit(context, base);
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.setDefaultNavigationTimeout(15_000);
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(`${page.url()}: ${err.message}`));
  step('Chromium started');

  try {
    // 1. The email link leads to the B2C sign-in page, the invited email pre-filled.
    const first = await page.goto(link);
    const idpOrigin = new URL(services.b2cMetadataUrl).origin;
    assert.ok(page.url().startsWith(`${idpOrigin}/`) && page.url().includes('/interaction/'),
      `the email link should lead to the B2C sign-in page (${idpOrigin}/…/interaction/…), ` +
      `but the browser is at ${page.url()} (HTTP ${first?.status()})`);
    await page.screenshot({ path: path.join(artifacts, 'b2c-sign-in.png') });
    assert.equal(await page.inputValue('#email'), email, 'the sign-in page pre-fills the invited email (login_hint)');
    step('on the B2C sign-in page');

    // 2. Sign in with a local account: back at the service, on the company form.
    await page.check('#idp-local');
    await page.fill('#password', 'any-password-will-do');
    await Promise.all([
      // The first page of the service's origin the browser shows (redirects are not shown).
      page.waitForURL((url) => url.origin === base, { waitUntil: 'load' }),
      page.click('#next'),
    ]);
    assert.equal(new URL(page.url()).pathname, '/api/CreateCompany',
      `after signing in the browser should be on /api/CreateCompany, but it is at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 500)}`);
    step('on the company form');

    const form = page.locator('form#company-form');
    await form.waitFor();
    assert.equal((await form.getAttribute('method'))?.toLowerCase(), 'post');
    for (const [field, value] of Object.entries(COMPANY)) {
      assert.equal(await form.locator(`[name="${field}"]`).inputValue(), value, `the ${field} field is pre-filled`);
    }
    await page.screenshot({ path: path.join(artifacts, 'company-form.png'), fullPage: true });
    await a11y.check(page, 'the company form, filled in for the customer');

    const button = page.locator('button#create-company');
    assert.equal(await button.getAttribute('type'), 'submit');
    assert.match((await button.textContent()).trim(), /Create company/, 'the button is labelled in English');
    const buttonState = () => button.evaluate((b) => ({ disabled: b.disabled, background: getComputedStyle(b).backgroundColor }));

    /** Polls the button until want(state) holds (colour transitions take a moment); the last state otherwise. */
    async function waitForButton(want, ms = 3_000) {
      const deadline = Date.now() + ms;
      let state;
      for (;;) {
        state = await buttonState();
        if (want(state) || Date.now() > deadline) return state;
        await sleep(50);
      }
    }

    // All pre-filled fields are valid: orange and enabled.
    let state = await waitForButton((s) => !s.disabled && s.background === ORANGE);
    assert.deepEqual(state, { disabled: false, background: ORANGE }, 'with valid pre-filled data the button is enabled and orange');

    // 3. An empty name: grey and disabled, with an error beside the field.
    const name = form.locator('[name="name"]');
    await name.fill('');
    state = await waitForButton((s) => s.disabled && isGrey(s.background));
    assert.equal(state.disabled, true, 'with an empty name the Create company button is disabled');
    assert.notEqual(state.background, ORANGE, 'a disabled button is not orange');
    assert.ok(isGrey(state.background), `a disabled button is grey, but its background is ${state.background}`);
    const nameError = page.locator('#name-error');
    assert.ok(((await nameError.textContent()) || '').trim().length > 0, 'the name field shows an error (#name-error)');
    await page.screenshot({ path: path.join(artifacts, 'company-form-invalid.png'), fullPage: true });
    await a11y.check(page, 'the company form with an empty name');
    step('empty name: button grey and disabled');

    // 4. The name typed back, key by key: orange and enabled again.
    await name.pressSequentially(COMPANY.name, { delay: 10 });
    state = await waitForButton((s) => !s.disabled && s.background === ORANGE);
    assert.deepEqual(state, { disabled: false, background: ORANGE }, 'with the name typed back the button is enabled and orange');
    assert.ok(!(await nameError.isVisible()) || ((await nameError.textContent()) || '').trim() === '',
      'the name error is gone once the name is valid');
    step('name typed back: button orange and enabled');

    // 5. Create the company: the welcome page names it.
    // The next page shown, whatever it is (a 422 re-renders the form at the same address).
    await Promise.all([
      page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
      button.click(),
    ]);
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/api/Home',
      `after creating the company the browser should be on /api/Home, but it is at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 500)}`);
    const h1 = (await page.locator('h1').first().textContent()) || '';
    assert.equal(h1.trim(), 'Welcome to GFMS Customer Portal', 'the welcome page welcomes the person to the product');
    assert.match(await page.textContent('#companies'), new RegExp(COMPANY.name), 'and shows their company');
    await page.screenshot({ path: path.join(artifacts, 'home.png'), fullPage: true });
    await a11y.check(page, 'Home after creating the company');
    step('welcome page reached');

    // 6. Later: the profile, then the authenticator app turned on.
    await page.click('#profile-link');
    await page.waitForURL((url) => url.pathname === '/api/Profile');
    assert.equal(await page.getAttribute('#mfa-state', 'data-mfa'), 'off', 'MFA starts off');
    await a11y.check(page, 'the profile');
    await page.click('#mfa-start');
    await page.waitForURL((url) => url.pathname === '/api/Profile/mfa');
    const qr = page.locator('img#qr');
    assert.match(await qr.getAttribute('src'), /^data:image\/svg\+xml;base64,/, 'the QR code is drawn by the service');
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image renders');
    // Scanned, as a phone would: the pixels the browser drew, read by jsQR.
    const pixels = await qr.evaluate((img) => {
      const canvas = document.createElement('canvas');
      canvas.width = 440; canvas.height = 440;
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 440, 440);
      ctx.drawImage(img, 0, 0, 440, 440);
      return Array.from(ctx.getImageData(0, 0, 440, 440).data);
    });
    const { default: jsQR } = await import('jsqr');
    const scanned = jsQR(Uint8ClampedArray.from(pixels), 440, 440);
    assert.ok(scanned, 'the QR code can be scanned');
    assert.equal(await page.locator('#secret').isVisible(), false, 'the secret is hidden until asked for');
    await page.click('#manual summary');
    const secret = ((await page.textContent('#secret')) || '').replace(/\s+/g, '');
    assert.ok(secret.length >= 32, `a secret of at least 160 bits is shown: ${secret}`);
    const otpauth = await page.getAttribute('#otpauth', 'href');
    assert.ok(otpauth.startsWith('otpauth://totp/'), 'an otpauth:// link is offered');
    assert.equal(scanned.data, otpauth, 'the QR code holds the otpauth:// link');
    assert.equal(new URL(otpauth).searchParams.get('secret'), secret, 'the link carries the secret shown');
    await page.screenshot({ path: path.join(artifacts, 'mfa-enrol.png'), fullPage: true });
    await a11y.check(page, 'the authenticator page, the secret shown');
    // Turn it on with the previous step's code (one step of drift is accepted), so the
    // current step's code is still unused for the sign-in below.
    if (30 - (Date.now() / 1000) % 30 < 3) await sleep(3_000);
    await page.fill('#code', totp(secret, Date.now() / 1000 - 30));
    await Promise.all([page.waitForLoadState('load'), page.click('#submit-code')]);
    await page.locator('#recovery-codes').waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10, 'ten recovery codes are shown once');
    await page.screenshot({ path: path.join(artifacts, 'mfa-recovery-codes.png'), fullPage: true });
    await a11y.check(page, 'the recovery codes');
    await page.click('#done');
    await page.waitForURL((url) => url.pathname === '/api/Profile');
    assert.equal(await page.getAttribute('#mfa-state', 'data-mfa'), 'on', 'MFA is on');
    await a11y.check(page, 'the profile with MFA on');
    step('authenticator app turned on');

    // 7. Both Link buttons reach the provider's sign-in page (the form's post ends there,
    // which the page's CSP form-action must allow), for the account's address.
    for (const [button, domainHint] of [['#link-microsoft', 'live.com'], ['#link-google', 'google.com']]) {
      await page.goto(`${base}/api/Profile`);
      await clickThrough(page, button, idpOrigin, cspViolations);
      assert.ok(page.url().includes('/interaction/'), `${button} leads to the provider's sign-in page, not ${page.url()}`);
      assert.equal(await page.inputValue('#email'), email, `${button}: the provider's page is pre-filled with the account's address`);
      step(`${button} reached the provider (${domainHint})`);
    }

    // 8. Sign out: through the provider's end-session endpoint, back on our signed-out page.
    await page.goto(`${base}/api/Profile`);
    const visited = [];
    const onRequest = (req) => { if (req.isNavigationRequest()) visited.push(req.url()); };
    page.on('request', onRequest);
    await Promise.all([
      page.waitForURL((url) => url.origin === base && url.pathname === '/api/SignedOut', { waitUntil: 'load' }),
      page.click('form[action="/api/SignOut"] button'),
    ]);
    page.off('request', onRequest);
    assert.ok(visited.some((u) => u.startsWith(`${idpOrigin}/`) && new URL(u).pathname.endsWith('/logout')),
      `sign-out goes through the provider's end_session_endpoint; the browser went to: ${visited.join(', ')}`);
    assert.equal((await page.textContent('h1')).trim(), 'You are signed out');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await a11y.check(page, 'the signed-out page');
    assert.deepEqual(cspViolations, [], 'no CSP violation anywhere');
    step('signed out at the provider and back on the signed-out page');

    // 9. Sign in again: the code is asked before the welcome page.
    await page.goto(`${base}/api/SignIn`);
    if (page.url().includes('/interaction/')) {
      await page.fill('#email', email);
      await page.check('#idp-local');
      await page.fill('#password', 'any-password-will-do');
      await Promise.all([page.waitForURL((url) => url.origin === base, { waitUntil: 'load' }), page.click('#next')]);
    }
    assert.equal(new URL(page.url()).pathname, '/api/Profile/mfa',
      `after signing in again the code is asked, but the browser is at ${page.url()}`);
    await a11y.check(page, 'the code asked at sign-in');
    const home = await page.request.get(`${base}/api/Home`, { maxRedirects: 0 });
    assert.equal(home.status(), 302, 'no session before the code: Home asks for a sign-in');
    await page.fill('#code', totp(secret, Date.now() / 1000));
    await Promise.all([page.waitForLoadState('load'), page.click('#submit-code')]);
    assert.equal(new URL(page.url()).pathname, '/api/Home',
      `the right code leads home, but the browser is at ${page.url()}: ${(await page.textContent('body'))?.slice(0, 300)}`);
    assert.match(await page.textContent('#companies'), new RegExp(COMPANY.name));
    await a11y.check(page, 'Home after the code');
    a11y.assertEveryPageChecked();
    step('signed in again with the authenticator code');

    assert.deepEqual(pageErrors, [], 'no uncaught JavaScript errors in the pages');
    assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation in the pages');
  } catch (err) {
    // Leave evidence: what the browser showed when it went wrong.
    await page.screenshot({ path: path.join(artifacts, 'failure.png'), fullPage: true }).catch(() => {});
    await page.content().then((html) => fs.writeFileSync(path.join(artifacts, 'failure.html'), html)).catch(() => {});
    err.message += `\n(browser at ${page.url()}; screenshot test-artifacts/failure.png, logs test-artifacts/handler.log and services.log)`;
    throw err;
  }

  // ---- what the sales person sees afterwards
  const res = await fetch(`${base}/api/invitations/${encodeURIComponent(created.id)}`, {
    headers: { Authorization: `Bearer ${token}` },
    signal: AbortSignal.timeout(10_000),
  });
  const invitation = await res.json();
  assert.equal(res.status, 200, `GET /api/invitations/${created.id} answered ${res.status}: ${JSON.stringify(invitation)}`);
  assert.equal(invitation.status, 'completed', `the invitation is completed: ${JSON.stringify(invitation)}`);
  step('invitation is completed');

  await cleanup();
  step('everything stopped');
});
