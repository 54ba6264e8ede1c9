#!/usr/bin/env node
// Deliveries per second one handler instance sustains against the local webhook
// receiver (issue #25; docs/performance.md). Not a test: it prints figures.
//
//   node bench/events.mjs [--handler target/release/handler] [--events 400]
//
// Starts the local services (local/services.mjs: Azurite, maildev, the OpenID stand-ins,
// the webhook receiver), then the handler sending its events to a receiver endpoint that
// refuses them at first. N invitations are created through the staff API (16 at a time, a 503 of the staff's hourly counter tried again),
// so N events are stored and each had its first attempt refused. The receiver then takes
// everything; once the retry is due (10 s), one `POST /DeliverEvents` sends them all
// (signed, at most 16 at once): its duration gives deliveries per second, each one a
// signed POST, the receiver's signature check with the npm standardwebhooks package, and
// the outbox row's ETag write.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const handlerBin = path.resolve(root, arg('--handler', 'target/release/handler'));
const count = Number(arg('--events', '400'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = [];
const stop = () => children.forEach((c) => c.kill('SIGTERM'));
process.on('exit', stop);

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const services = spawn('node', ['local/services.mjs'], {
  cwd: root,
  stdio: ['pipe', 'pipe', 'ignore'],
  env: { ...process.env, AZURITE_TABLE_PORT: '0', SMTP_PORT: '0', MAILDEV_WEB_PORT: '0', IDP_PORT: '0', EVENTS_PORT: '0' },
});
children.push(services);
const info = JSON.parse(await new Promise((resolve) => readline.createInterface({ input: services.stdout }).once('line', resolve)));

const hook = `${info.eventsUrl}/hooks/bench${randomBytes(4).toString('hex')}`;
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const setup = (fail) => fetch(`${hook}/setup`, { method: 'PUT', body: JSON.stringify({ secrets: [secret], fail }) });
await setup(1_000_000);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const handler = spawn(handlerBin, [], {
  cwd: root,
  stdio: ['ignore', 'ignore', 'inherit'],
  env: {
    ...process.env,
    RUST_LOG: 'warn',
    FUNCTIONS_CUSTOMHANDLER_PORT: String(port),
    PUBLIC_BASE_URL: base,
    INVITATIONS_STORAGE: info.storageConnectionString,
    TABLE_PREFIX: `bench${randomBytes(4).toString('hex')}`,
    B2C_METADATA_URL: info.b2cMetadataUrl,
    B2C_CLIENT_ID: info.b2cClientId,
    B2C_CLIENT_SECRET: info.b2cClientSecret,
    STAFF_METADATA_URL: info.staffMetadataUrl,
    STAFF_AUDIENCE: info.staffAudience,
    SMTP_URL: info.smtpUrl,
    MAIL_FROM: 'invitations@localhost',
    LIMIT_INVITATIONS_PER_HOUR: '100000',
    EVENTS_WEBHOOK_URLS: hook,
    EVENTS_WEBHOOK_SECRET: secret,
  },
});
children.push(handler);

const token = (await (await fetch(info.staffTokenEndpoint, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: `grant_type=client_credentials&client_id=${info.salesCliClientId}&client_secret=${info.cliClientSecret}`,
})).json()).access_token;
const api = (p, init = {}) => fetch(`${base}${p}`, { ...init, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(init.headers || {}) } });

for (let i = 0; i < 300; i++) {
  try { if ((await fetch(`${base}/`)).ok && (await api('/api/events')).ok) break; } catch {}
  await sleep(100);
}

let next = 0;
const createStarted = Date.now();
await Promise.all(Array.from({ length: 16 }, async () => {
  while (next < count) {
    next += 1;
    const body = JSON.stringify({ email: `bench.${randomBytes(6).toString('hex')}@customer.example` });
    // 16 writers of one staff member's hourly counter: a 503 ("try again") now and then.
    for (let tries = 0; ; tries++) {
      const answer = await api('/api/InviteUser', { method: 'POST', body });
      if (answer.status === 201) break;
      if (answer.status !== 503 || tries > 20) throw new Error(`invite answered ${answer.status}`);
      await sleep(50);
    }
  }
}));
const createSeconds = (Date.now() - createStarted) / 1000;

// Every first attempt refused and recorded.
for (;;) {
  const received = await (await fetch(`${hook}/received`)).json();
  if (received.length >= count) break;
  await sleep(200);
}
await sleep(500);
await setup(0);
await sleep(11_000); // the second attempt is due 10 s after the first
const started = process.hrtime.bigint();
const answer = await (await fetch(`${base}/DeliverEvents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"Data":{},"Metadata":{}}' })).json();
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const delivered = answer.ReturnValue.delivered;
const received = await (await fetch(`${hook}/received`)).json();
const verified = received.filter((r) => r.answered === 204 && r.verified.every(Boolean)).length;

console.log(`handler: ${path.relative(root, handlerBin)}`);
console.log(`${count} invitations created through the API in ${createSeconds.toFixed(1)} s (16 at a time, a 503 of the staff's hourly counter tried again), each with its event stored and tried once`);
console.log(`DeliverEvents: ${delivered} delivered in ${seconds.toFixed(2)} s = ${(delivered / seconds).toFixed(0)} deliveries/s (at most 16 at once; ${verified} verified by the receiver)`);
stop();
process.exit(delivered === count && verified === count ? 0 : 1);
