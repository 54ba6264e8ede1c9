#!/usr/bin/env node
// The local services the invitation service talks to, in ONE process tree:
//   - Azurite, Table service only (child process)
//   - maildev: SMTP catcher + web UI + REST API (child process)
//   - the local OpenID providers (B2C stand-in and staff directory stand-in,
//     in this process, see idp/)
//   - where events go: a webhook receiver checking Standard Webhooks signatures
//     and an Event Grid topic stand-in (in this process, see events/)
//
// Usage:
//   node local/services.mjs [--no-stdin]
//
// Ports come from AZURITE_TABLE_PORT, SMTP_PORT, MAILDEV_WEB_PORT, IDP_PORT, EVENTS_PORT;
// unset or 0 picks a free port. AZURITE_LOCATION set: Azurite keeps its data
// in that folder; otherwise in memory. SERVICES_VERBOSE=1 shows the access logs.
//
// When everything answers, ONE line of JSON goes to stdout (all logging goes
// to stderr):
//   {"tableEndpoint":…,"storageConnectionString":…,"tablePort":…,"smtpPort":…,
//    "smtpUrl":…,"maildevWebPort":…,"maildevUrl":…,"idpPort":…,
//    "b2cMetadataUrl":…,"b2cIssuer":…,"b2cClientId":…,"b2cClientSecret":…,
//    "externalIdMetadataUrl":…,"externalIdIssuer":…,"externalIdClientId":…,
//    "externalIdClientSecret":…,
//    "productClientId":…,"productUrl":…,"b2cProductUrl":…   (the local product, PRODUCT_URL),
//    "eventsTokenUrl":…   (a token as Entra's events service sends the claims provider),
//    "staffMetadataUrl":…,"staffIssuer":…,"staffAudience":…,"staffRole":…,
//    "staffClientId":…,"staffClientSecret":…,"salesCliClientId":…,
//    "noRoleCliClientId":…,"cliClientSecret":…,"staffTokenEndpoint":…,"eventsUrl":…}
//
// It runs until its stdin reaches end-of-file (a test that spawns it with a
// piped stdin takes it down by dying), or SIGINT/SIGTERM/SIGHUP; then it stops
// its children and exits 0. --no-stdin turns the stdin watch off.
// maildev's REST API: GET {maildevUrl}/email, DELETE {maildevUrl}/email/all.

// stdout carries only the JSON line: send every library's console output to
// stderr before anything is loaded.
console.log = console.error;
console.info = console.error;
console.debug = console.error;
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

const { spawn } = await import('node:child_process');
const fs = await import('node:fs');
const { default: http } = await import('node:http');
const net = await import('node:net');
const os = await import('node:os');
const path = await import('node:path');
const { fileURLToPath } = await import('node:url');

const HOST = '127.0.0.1';
const ACCOUNT = 'devstoreaccount1';
const ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
// Generous: on a busy machine (two cores compiling) Azurite's first start has taken over 30 s.
const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 3_000;

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const guard = path.join(here, 'child-guard.cjs');
const azuriteMain = path.join(root, 'node_modules', 'azurite', 'dist', 'src', 'table', 'main.js');
const maildevMain = path.join(root, 'node_modules', 'maildev', 'bin', 'maildev');

const args = process.argv.slice(2);
for (const a of args) {
  if (a !== '--no-stdin') fail(`unknown option ${a} (only --no-stdin is known)`);
}
const watchStdin = !args.includes('--no-stdin');
const verbose = /^(1|true|yes)$/i.test(process.env.SERVICES_VERBOSE || '');

const log = (...m) => console.error('[services]', ...m);

/** live child processes */
const children = new Set();
let idp;
let eventStandIns;
let mailDir;
let stopping = false;

function fail(message) {
  console.error(`[services] error: ${message}`);
  process.exit(2);
}

// ---------------------------------------------------------------- lifecycle

async function shutdown(code, reason) {
  if (stopping) return;
  stopping = true;
  if (reason) log(`stopping: ${reason}`);
  const waits = [...children].map((child) => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    try { child.kill('SIGTERM'); } catch { resolve(); }
  }));
  const grace = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS).unref());
  await Promise.race([Promise.all(waits), grace]);
  killAllNow();
  if (eventStandIns) {
    await Promise.race([eventStandIns.close().catch(() => {}), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
  if (idp) {
    await Promise.race([idp.close(), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
  cleanupMailDir();
  process.exit(code);
}

function killAllNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try { child.kill('SIGKILL'); } catch { /* already gone */ }
    }
  }
}

function cleanupMailDir() {
  if (mailDir) {
    try { fs.rmSync(mailDir, { recursive: true, force: true }); } catch { /* best effort */ }
    mailDir = undefined;
  }
}

// Last resort on every exit path (process.exit from anywhere included).
process.on('exit', () => {
  killAllNow();
  cleanupMailDir();
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => shutdown(0, sig));
}
process.on('uncaughtException', (err) => {
  console.error('[services] unexpected error:', err);
  shutdown(1);
});
process.on('unhandledRejection', (err) => {
  console.error('[services] unexpected error:', err);
  shutdown(1);
});

if (watchStdin) {
  process.stdin.on('end', () => shutdown(0, 'stdin closed'));
  process.stdin.on('close', () => shutdown(0, 'stdin closed'));
  process.stdin.on('error', () => shutdown(0, 'stdin closed'));
  process.stdin.resume();
}

// ---------------------------------------------------------------- helpers

function portSetting(name) {
  const raw = (process.env[name] ?? '').trim();
  if (raw === '' || raw === '0') return 0;
  if (!/^\d+$/.test(raw) || Number(raw) > 65535) fail(`${name}=${raw} is not a port number`);
  return Number(raw);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', () => resolve(false));
    srv.listen(port, HOST, () => srv.close(() => resolve(true)));
  });
}

function prefixLines(stream, prefix) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf += chunk;
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) process.stderr.write(`${prefix} ${line}\n`);
    }
  });
  stream.on('end', () => {
    if (buf.trim()) process.stderr.write(`${prefix} ${buf}\n`);
  });
}

function startChild(name, script, childArgs) {
  if (!fs.existsSync(script)) {
    fail(`${path.relative(root, script)} is missing: run "npm ci" in ${root}`);
  }
  const child = spawn(process.execPath, ['--require', guard, script, ...childArgs], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, AZURE_CORE_DISABLE_TELEMETRY: '1' },
  });
  children.add(child);
  prefixLines(child.stdout, `[${name}]`);
  prefixLines(child.stderr, `[${name}]`);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    });
  });
  child.once('error', (err) => log(`${name} could not start: ${err.message}`));
  return child;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves when probe() succeeds; rejects when the child exits first or on timeout. */
async function waitUntil(what, probe, child) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  child?.exited.then(() => { exited = true; });
  for (;;) {
    if (stopping) throw new Error('stopping');
    if (exited) throw Object.assign(new Error(`${what} exited before it was ready`), { childExited: true });
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`${what} not ready after ${READY_TIMEOUT_MS / 1000}s`);
    await sleep(40);
  }
}

/** GET url; resolves to { status } when anything answers, undefined otherwise. */
function httpAnswers(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ok: res.statusCode >= 200 && res.statusCode < 300 }));
      res.on('error', () => resolve(undefined));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(undefined));
  });
}

function smtpGreets(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    let data = '';
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\n')) done(data.startsWith('220'));
    });
  });
}

// ---------------------------------------------------------------- services

async function startAzurite() {
  const wanted = portSetting('AZURITE_TABLE_PORT');
  const location = process.env.AZURITE_LOCATION;
  if (location) fs.mkdirSync(location, { recursive: true });
  for (let attempt = 1; ; attempt += 1) {
    const port = wanted || await freePort();
    const childArgs = [
      '--tableHost', HOST,
      '--tablePort', String(port),
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      ...(location ? ['--location', path.resolve(location)] : ['--inMemoryPersistence']),
      ...(verbose ? [] : ['--silent']),
    ];
    const child = startChild('azurite', azuriteMain, childArgs);
    try {
      await waitUntil('Azurite', async () => {
        const res = await httpAnswers(`http://${HOST}:${port}/${ACCOUNT}/Tables`);
        return res !== undefined;
      }, child);
      return port;
    } catch (err) {
      // A port picked here may have been taken meanwhile by someone else: retry.
      if (!err.childExited || wanted || attempt >= 3 || stopping) throw err;
      log(`Azurite did not start on port ${port}, trying another port`);
    }
  }
}

async function startMaildev() {
  const wantedSmtp = portSetting('SMTP_PORT');
  const wantedWeb = portSetting('MAILDEV_WEB_PORT');
  mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'maildev-local-'));
  for (let attempt = 1; ; attempt += 1) {
    const smtp = wantedSmtp || await freePort();
    let web = wantedWeb || await freePort();
    while (web === smtp) web = await freePort();
    const childArgs = [
      '--smtp', String(smtp),
      '--web', String(web),
      '--ip', HOST,
      '--web-ip', HOST,
      '--mail-directory', mailDir,
      ...(verbose ? ['--verbose'] : ['--silent']),
    ];
    const child = startChild('maildev', maildevMain, childArgs);
    try {
      await waitUntil('maildev', async () => {
        const res = await httpAnswers(`http://${HOST}:${web}/email`);
        return res?.ok === true && await smtpGreets(smtp);
      }, child);
      return { smtp, web };
    } catch (err) {
      if (!err.childExited || (wantedSmtp && wantedWeb) || attempt >= 3 || stopping) throw err;
      log(`maildev did not start on ports ${smtp}/${web}, trying other ports`);
    }
  }
}

async function startIdentityProviders() {
  const port = portSetting('IDP_PORT');
  if (port && !(await portIsFree(port))) throw new Error(`IDP_PORT ${port} is already in use`);
  const { startIdp } = await import('./idp/index.mjs');
  idp = await startIdp({ host: HOST, port });
  for (const url of [idp.info.b2cMetadataUrl, idp.info.externalIdMetadataUrl, idp.info.staffMetadataUrl]) {
    await waitUntil('identity provider', async () => (await httpAnswers(url))?.ok === true);
  }
  return idp.info;
}

async function startEvents() {
  const port = portSetting('EVENTS_PORT');
  const { startEventStandIns } = await import('./events/index.mjs');
  // EVENTS_LOG (scripts/dev): each webhook delivery and its signature check, appended there.
  const file = (process.env.EVENTS_LOG || '').trim();
  const print = file ? (line) => fs.appendFileSync(file, `${line}\n`) : null;
  eventStandIns = await startEventStandIns({ host: HOST, port, print });
  return eventStandIns.info;
}

// ---------------------------------------------------------------- main

const started = Date.now();
try {
  const [tablePort, mail, idpInfo, eventsInfo] = await Promise.all([
    startAzurite(),
    startMaildev(),
    startIdentityProviders(),
    startEvents(),
  ]);
  if (stopping) await new Promise(() => {}); // shutdown in progress; it exits

  const tableEndpoint = `http://${HOST}:${tablePort}/${ACCOUNT}`;
  const info = {
    tableEndpoint,
    storageConnectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${ACCOUNT_KEY};TableEndpoint=${tableEndpoint};`,
    tablePort,
    smtpPort: mail.smtp,
    smtpUrl: `smtp://${HOST}:${mail.smtp}`,
    maildevWebPort: mail.web,
    maildevUrl: `http://${HOST}:${mail.web}`,
    idpPort: idpInfo.idpPort,
    b2cMetadataUrl: idpInfo.b2cMetadataUrl,
    b2cIssuer: idpInfo.b2cIssuer,
    b2cClientId: idpInfo.b2cClientId,
    b2cClientSecret: idpInfo.b2cClientSecret,
    externalIdMetadataUrl: idpInfo.externalIdMetadataUrl,
    externalIdIssuer: idpInfo.externalIdIssuer,
    externalIdClientId: idpInfo.externalIdClientId,
    externalIdClientSecret: idpInfo.externalIdClientSecret,
    productClientId: idpInfo.productClientId,
    productUrl: idpInfo.productUrl,
    b2cProductUrl: idpInfo.b2cProductUrl,
    eventsTokenUrl: idpInfo.eventsTokenUrl,
    staffMetadataUrl: idpInfo.staffMetadataUrl,
    staffIssuer: idpInfo.staffIssuer,
    staffAudience: idpInfo.staffAudience,
    staffRole: idpInfo.staffRole,
    staffClientId: idpInfo.staffClientId,
    staffClientSecret: idpInfo.staffClientSecret,
    salesCliClientId: idpInfo.salesCliClientId,
    noRoleCliClientId: idpInfo.noRoleCliClientId,
    cliClientSecret: idpInfo.cliClientSecret,
    staffTokenEndpoint: idpInfo.staffTokenEndpoint,
    eventsUrl: eventsInfo.eventsUrl,
  };
  log(`ready in ${Date.now() - started} ms: table ${tablePort}, smtp ${mail.smtp}, maildev web ${mail.web}, idp ${idpInfo.idpPort}`);
  process.stdout.write(`${JSON.stringify(info)}\n`);

  // From now on a child that dies takes everything down: tests must not run
  // against half a stack.
  for (const child of children) {
    child.exited.then(({ code, signal }) => {
      if (!stopping) shutdown(1, `a child process exited (code ${code}, signal ${signal})`);
    });
  }
} catch (err) {
  if (!stopping) {
    console.error(`[services] error: ${err.message}`);
    await shutdown(1);
  }
}
