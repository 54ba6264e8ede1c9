// The sales back office in a real browser (Chromium, driven by playwright-core): a staff
// member signs in at the local staff directory, invites a customer, sees the row appear,
// resends, revokes (with the confirmation step), reads the history; the page fits a phone;
// a staff member without the role is refused.
//
// Run:   node --test tests/browser/
// Needs: target/debug/handler (cargo build --bin handler), the Node packages (npm ci) and
//        Chromium at /usr/bin/chromium, or another Chromium named by CHROMIUM_PATH.
// Screenshots and logs go to test-artifacts/staff-*.

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const artifacts = path.join(root, 'test-artifacts');
const handlerBin = path.join(root, 'target', 'debug', 'handler');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const TEST_TIMEOUT_MS = 60_000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());
const log = (...m) => console.error('[staff]', ...m);

const running = { browser: undefined, handler: undefined, services: undefined };
const logs = { handler: [], services: [] };
let cleaned;

async function stopChild(child, signal, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  if (signal) child.kill(signal);
  if (await Promise.race([exited.then(() => true), deadline(graceMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await Promise.race([exited, deadline(2_000)]);
}

async function cleanup() {
  if (cleaned) return cleaned;
  cleaned = (async () => {
    if (running.browser) await Promise.race([running.browser.close().catch(() => {}), deadline(5_000)]);
    await stopChild(running.handler, 'SIGTERM', 3_000);
    if (running.services) {
      running.services.stdin.end(); // services.mjs stops when its stdin closes
      await stopChild(running.services, null, 6_000);
    }
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, 'staff-handler.log'), logs.handler.join(''));
    fs.writeFileSync(path.join(artifacts, 'staff-services.log'), logs.services.join(''));
  })();
  return cleaned;
}
process.on('exit', () => {
  for (const child of [running.handler, running.services]) {
    if (child && child.exitCode === null && child.signalCode === null) {
      try { child.kill('SIGKILL'); } catch { /* gone */ }
    }
  }
});
setTimeout(async () => {
  log('still running past the deadline: stopping everything');
  await Promise.race([cleanup(), deadline(8_000)]);
  process.exit(1);
}, TEST_TIMEOUT_MS + 15_000).unref();
after(cleanup);

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const tail = (chunks) => chunks.join('').split('\n').slice(-40).join('\n');

async function startServices() {
  const child = spawn(process.execPath, [path.join(root, 'local', 'services.mjs')], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, AZURITE_TABLE_PORT: '0', SMTP_PORT: '0', MAILDEV_WEB_PORT: '0', IDP_PORT: '0' },
  });
  running.services = child;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => logs.services.push(d));
  child.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`local/services.mjs was not ready within 30 s:\n${tail(logs.services)}`)), 30_000);
    child.stdout.on('data', (d) => {
      out += d;
      const i = out.indexOf('\n');
      if (i === -1) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, i)));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local/services.mjs exited (${code}):\n${tail(logs.services)}`));
    });
  });
}

/** The handler with staff sign-in on; resolves once its tables answer. */
async function startHandler(services) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
    PUBLIC_BASE_URL: base,
    INVITATIONS_STORAGE: services.storageConnectionString,
    TABLE_PREFIX: `staff${randomBytes(4).toString('hex')}`,
    B2C_METADATA_URL: services.b2cMetadataUrl,
    B2C_CLIENT_ID: services.b2cClientId,
    B2C_CLIENT_SECRET: services.b2cClientSecret,
    STAFF_METADATA_URL: services.staffMetadataUrl,
    STAFF_AUDIENCE: services.staffAudience,
    STAFF_ROLE: services.staffRole,
    STAFF_CLIENT_ID: services.staffClientId,
    STAFF_CLIENT_SECRET: services.staffClientSecret,
    SMTP_URL: services.smtpUrl,
    MAIL_FROM: 'invitations@localhost',
    COOKIE_KEY: randomBytes(64).toString('base64'),
    PRODUCT_NAME: 'GFMS Customer Portal',
    RUST_LOG: process.env.RUST_LOG || 'info',
    NO_COLOR: '1',
  };
  for (const name of ['INVITATIONS_STORAGE__tableServiceUri', 'B2C_ISSUER', 'MAIL_DROP_DIR']) delete env[name];
  const child = spawn(handlerBin, [], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
  running.handler = child;
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (d) => logs.handler.push(d));
  }
  const until = Date.now() + 15_000;
  for (;;) {
    assert.equal(child.exitCode, null, `the handler exited during start:\n${tail(logs.handler)}`);
    try {
      const res = await fetch(`${base}/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (logs.handler.join('').includes('tables ready')) return base;
    } catch { /* not yet */ }
    assert.ok(Date.now() < until, `the handler was not ready within 15 s:\n${tail(logs.handler)}`);
    await sleep(100);
  }
}

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
  assert.ok(fs.existsSync(chromiumPath), `Chromium was not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
  assert.ok(fs.existsSync(handlerBin), 'target/debug/handler is missing: cargo build --bin handler');
  const { chromium } = await import('playwright-core');
  fs.mkdirSync(artifacts, { recursive: true });

  const services = await startServices();
  const base = await startHandler(services);
  log(`handler at ${base}`);
  running.browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 20_000,
  });
  const context = await running.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
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

    // 2. Invite a customer: the link is shown once, the row appears.
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

    // 3. Resend, after the confirmation step.
    await follow(page, `tr[data-email="${customer}"] a:has-text("Resend")`);
    assert.match(await page.textContent('h1'), /Resend the invitation\?/);
    await follow(page, '#confirm');
    assert.match(await page.textContent('#sent'), /resent/i);
    assert.match(await page.inputValue('#invite-url'), /\/api\/InviteUser\?invitationId=/);

    // 4. Revoke, after the confirmation step: the history tells the story.
    await follow(page, '#revoke');
    assert.match(await page.textContent('h1'), /Revoke the invitation\?/);
    await follow(page, '#confirm');
    assert.equal((await page.textContent('#status')).trim(), 'Revoked');
    const history = await page.textContent('#history');
    for (const event of ['Created', 'Resent', 'Revoked']) assert.ok(history.includes(event), `the history shows ${event}: ${history}`);
    assert.ok(history.includes(staff), 'the history names the staff member');
    await page.screenshot({ path: path.join(artifacts, 'staff-history.png'), fullPage: true });

    // 5. On a phone: one column, nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/api/Staff?lang=fr`);
    assert.match(await page.textContent('#invite-heading'), /Inviter un client/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the back office fits a phone's width (overflow ${overflow}px)`);
    await page.screenshot({ path: path.join(artifacts, 'staff-phone.png'), fullPage: true });
    assert.deepEqual(pageErrors, []);

    // 6. Someone without the role, in another browser: a 403 page.
    const other = await (await running.browser.newContext({ locale: 'en-US' })).newPage();
    const statuses = [];
    other.on('response', (res) => { if (new URL(res.url()).pathname === '/api/StaffCallback') statuses.push(res.status()); });
    await other.goto(`${base}/api/Staff`);
    await signInAtDirectory(other, base, `nora.${randomBytes(4).toString('hex')}@gfms.example`, false);
    assert.deepEqual(statuses, [403]);
    assert.match(await other.textContent('h1'), /Not allowed/);
    assert.equal(await other.locator('#invite-form').count(), 0);
  } catch (err) {
    await page.screenshot({ path: path.join(artifacts, 'staff-failure.png'), fullPage: true }).catch(() => {});
    err.message += `\n(browser at ${page.url()}; logs in test-artifacts/staff-handler.log)`;
    throw err;
  }
  await cleanup();
});
