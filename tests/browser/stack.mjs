// What every browser test starts and stops: local/services.mjs (Azurite, maildev, the
// OpenID stand-ins) and target/debug/handler on a free port with its own table prefix,
// behind the Functions host stand-in (local/host/: the browser reaches the handler as
// through the host, with its routing, query and headers),
// both bounded by hard timeouts and always stopped, their logs left in test-artifacts/.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';

import { startHost } from '../../local/host/index.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');
export const artifacts = path.join(root, 'test-artifacts');
export const handlerBin = path.join(root, 'target', 'debug', 'handler');
export const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** The flags Chromium needs on this closed network. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Like sleep, but never keeps the process alive (for races against a deadline). */
export const deadline = (ms) => new Promise((r) => setTimeout(r, ms).unref());
export const tail = (chunks, lines = 40) => chunks.join('').split('\n').slice(-lines).join('\n');

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Sends `signal` (null: just waits), then SIGKILL after `graceMs`. */
async function stopChild(child, signal, graceMs) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  if (signal) child.kill(signal);
  if (await Promise.race([exited.then(() => true), deadline(graceMs).then(() => false)])) return;
  child.kill('SIGKILL');
  await Promise.race([exited, deadline(2_000)]);
}

/**
 * One test file's stack. `name` prefixes its log lines and its log files
 * (`test-artifacts/{logPrefix}handler.log`); after `timeoutMs` + 15 s everything is
 * stopped and the process exits, whatever hangs. `running.browser` is closed first.
 */
export function stack({ name, logPrefix = '', timeoutMs }) {
  const log = (...m) => console.error(`[${name}]`, ...m);
  const running = { browser: undefined, handler: undefined, sentinel: undefined, services: undefined, host: undefined };
  const logs = { handler: [], services: [] };
  let cleaned;

  async function cleanup() {
    if (cleaned) return cleaned;
    cleaned = (async () => {
      const t0 = Date.now();
      if (running.browser) await Promise.race([running.browser.close().catch(() => {}), deadline(5_000)]);
      if (running.host) await Promise.race([running.host.close(), deadline(2_000)]);
      await stopChild(running.handler, 'SIGTERM', 3_000);
      running.sentinel?.stdin.end();
      if (running.services) {
        running.services.stdin.end(); // services.mjs stops everything it runs when its stdin closes
        await stopChild(running.services, null, 6_000);
      }
      log(`stopped the browser, the handler and the services in ${Date.now() - t0} ms`);
      fs.mkdirSync(artifacts, { recursive: true });
      fs.writeFileSync(path.join(artifacts, `${logPrefix}handler.log`), logs.handler.join(''));
      fs.writeFileSync(path.join(artifacts, `${logPrefix}services.log`), logs.services.join(''));
    })();
    return cleaned;
  }

  // Last resorts: never leave a handler or the services behind.
  process.on('exit', () => {
    for (const child of [running.handler, running.services]) {
      if (child && child.exitCode === null && child.signalCode === null) {
        try { child.kill('SIGKILL'); } catch { /* gone */ }
      }
    }
  });
  setTimeout(async () => {
    log(`still running ${timeoutMs / 1000 + 15} s after start: stopping everything`);
    await Promise.race([cleanup(), deadline(8_000)]);
    process.exit(1);
  }, timeoutMs + 15_000).unref();
  after(cleanup);

  /** Starts local/services.mjs (with `env` added) and resolves with its JSON line. */
  async function startServices(env = {}) {
    const child = spawn(process.execPath, [path.join(root, 'local', 'services.mjs')], {
      cwd: root,
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, AZURITE_TABLE_PORT: '0', SMTP_PORT: '0', MAILDEV_WEB_PORT: '0', IDP_PORT: '0', ...env },
    });
    running.services = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => logs.services.push(d));
    child.stdout.setEncoding('utf8');
    return new Promise((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(
        `local/services.mjs printed no JSON line within 30 s; its log:\n${tail(logs.services)}`)), 30_000);
      child.stdout.on('data', (d) => {
        out += d;
        const i = out.indexOf('\n');
        if (i === -1) return;
        clearTimeout(timer);
        try {
          resolve(JSON.parse(out.slice(0, i)));
        } catch (err) {
          reject(new Error(`local/services.mjs printed something that is not JSON: ${out.slice(0, i)} (${err.message})`));
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`local/services.mjs exited (code ${code}, signal ${signal}) before it was ready; its log:\n${tail(logs.services)}`));
      });
    });
  }

  /**
   * Starts target/debug/handler on a free port with every setting from `services`, and
   * resolves with its address once `GET /` answers (and, with `waitForTables`, once it
   * has logged that its tables are ready).
   */
  async function startHandler(services, { waitForTables = false, hostPort: chosen, env: more = {}, host = '127.0.0.1' } = {}) {
    const port = await freePort();
    const hostPort = chosen ?? await freePort();
    const direct = `http://127.0.0.1:${port}`;
    // `localhost` for passkeys: WebAuthn refuses an IP address as the RP ID.
    const base = `http://${host}:${hostPort}`;
    // Events go to a receiver of the local stand-in that refuses them (503), so the back
    // office lists them as not delivered (its section is audited with the rest).
    const hook = `${services.eventsUrl}/hooks/${name}${randomBytes(4).toString('hex')}`;
    const refusing = await fetch(`${hook}/setup`, { method: 'PUT', body: JSON.stringify({ fail: 1_000_000 }) });
    assert.equal(refusing.status, 204, 'the local webhook receiver takes its setup');
    const env = {
      ...process.env,
      EVENTS_WEBHOOK_URLS: hook,
      EVENTS_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
      PUBLIC_BASE_URL: base,
      INVITATIONS_STORAGE: services.storageConnectionString,
      TABLE_PREFIX: `${name}${randomBytes(4).toString('hex')}`,
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
      RUST_BACKTRACE: '1',
      NO_COLOR: '1',
      ...more,
    };
    // Settings this test does not choose must not leak in from the caller's shell.
    for (const setting of ['INVITATIONS_STORAGE__tableServiceUri', 'B2C_ISSUER', 'MAIL_DROP_DIR']) delete env[setting];

    const child = spawn(handlerBin, [], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env });
    running.handler = child;
    for (const stream of [child.stdout, child.stderr]) {
      stream.setEncoding('utf8');
      stream.on('data', (d) => logs.handler.push(d));
    }
    // A sentinel that kills the handler once this process is gone, even if it is killed
    // with SIGKILL (its stdin, a pipe from here, then closes).
    running.sentinel = spawn('sh', ['-c', `cat >/dev/null; kill -KILL ${child.pid} 2>/dev/null; exit 0`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    running.sentinel.unref();

    let exited = false;
    child.once('exit', () => { exited = true; });
    // Tables are made at Azurite before the handler says so: on two busy cores that took
    // over 15 s once, so the wait is generous (a ready handler ends it at once).
    const until = Date.now() + 60_000;
    for (;;) {
      if (exited) {
        throw new Error(`target/debug/handler exited during start (code ${child.exitCode}); its output:\n${tail(logs.handler)}`);
      }
      try {
        const res = await fetch(`${direct}/`, { signal: AbortSignal.timeout(1_000) });
        await res.arrayBuffer();
        if (!waitForTables || logs.handler.join('').includes('tables ready')) {
          running.host = await startHost({ scriptRoot: root, functionsDir: path.join(root, 'functions'), port: hostPort, handlerPort: port });
          return base;
        }
      } catch { /* not yet */ }
      if (Date.now() > until) {
        throw new Error(`target/debug/handler was not ready at ${base} within 60 s; its output:\n${tail(logs.handler)}`);
      }
      await sleep(100);
    }
  }

  /**
   * What a browser test starts with: Chromium and the handler's binary checked, the
   * services and the handler (behind the host stand-in, its tables ready) started, and
   * Chromium launched as `running.browser`. Resolves with `{ services, base }`; `host`
   * names the handler's host in `base` and `PUBLIC_BASE_URL` (default `127.0.0.1`).
   */
  async function start({ host } = {}) {
    assert.ok(fs.existsSync(chromiumPath), `Chromium was not found at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
    assert.ok(fs.existsSync(handlerBin), 'target/debug/handler is missing: cargo build --bin handler');
    const { chromium } = await import('playwright-core');
    fs.mkdirSync(artifacts, { recursive: true });
    const services = await startServices();
    const base = await startHandler(services, { waitForTables: true, host });
    log(`handler at ${base}`);
    running.browser = await chromium.launch({ executablePath: chromiumPath, args: CHROMIUM_ARGS, timeout: 20_000 });
    return { services, base };
  }

  return { log, running, logs, cleanup, startServices, startHandler, start };
}
