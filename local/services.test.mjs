// Smoke tests of the local stack (local/services.mjs and the identity
// providers). Run: node --test local/
//
// They drive everything over plain HTTP/SMTP, the way the Rust tests do.

import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';

const here = path.dirname(fileURLToPath(import.meta.url));

let services;
let info;

function decodeJwt(jwt) {
  const [h, p] = jwt.split('.');
  const dec = (s) => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  return { header: dec(h), payload: dec(p) };
}

/** A tiny cookie jar + fetch without automatic redirects. */
function browser() {
  const jar = new Map();
  return async function go(url, init = {}) {
    const u = new URL(url);
    const cookie = [...jar.entries()]
      .filter(([, c]) => u.pathname.startsWith(c.path))
      .map(([name, c]) => `${name}=${c.value}`)
      .join('; ');
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers || {}), ...(cookie ? { cookie } : {}) },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const i = pair.indexOf('=');
      const name = pair.slice(0, i);
      const value = pair.slice(i + 1);
      const pathAttr = attrs.find((a) => a.toLowerCase().startsWith('path='));
      const expired = attrs.some((a) => /^expires=thu, 01 jan 1970/i.test(a)) || value === '';
      if (expired) jar.delete(name);
      else jar.set(name, { value, path: pathAttr ? pathAttr.slice(5) : '/' });
    }
    return res;
  };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

async function metadata(url) {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return res.json();
}

/** Runs authorize -> login page -> form action -> redirect to redirect_uri. */
async function signIn({
  metadataUrl, clientId, redirectUri, form, action = 'login', extra = {},
}) {
  const meta = await metadata(metadataUrl);
  const go = browser();
  const { verifier, challenge } = pkce();
  const authorize = new URL(meta.authorization_endpoint);
  const params = {
    client_id: clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: redirectUri,
    state: 'state-123',
    nonce: 'nonce-456',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);

  let res = await go(authorize.href);
  assert.equal(res.status, 303, await res.text());
  const interaction = new URL(res.headers.get('location'), authorize).href;
  res = await go(interaction);
  assert.equal(res.status, 200);
  const page = await res.text();
  res = await go(`${interaction}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form ?? {}),
  });
  assert.equal(res.status, 303, await res.text());
  res = await go(new URL(res.headers.get('location'), authorize).href);
  return { meta, res, page, verifier };
}

before(async () => {
  services = spawn(process.execPath, [path.join(here, 'services.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, AZURITE_TABLE_PORT: '', SMTP_PORT: '', MAILDEV_WEB_PORT: '', IDP_PORT: '', AZURITE_LOCATION: '' },
  });
  info = await new Promise((resolve, reject) => {
    let buf = '';
    services.stdout.on('data', (chunk) => {
      buf += chunk;
      const i = buf.indexOf('\n');
      if (i !== -1) resolve(JSON.parse(buf.slice(0, i)));
    });
    services.once('exit', (code) => reject(new Error(`services exited with ${code}`)));
    setTimeout(() => reject(new Error('services not ready in 20 s')), 20_000).unref();
  });
});

after(async () => {
  if (services && services.exitCode === null) {
    const exited = new Promise((r) => services.once('exit', r));
    services.stdin.end();
    await exited;
  }
});

describe('local services', () => {
  test('the JSON line has every field', () => {
    for (const key of [
      'tableEndpoint', 'storageConnectionString', 'tablePort', 'smtpPort', 'smtpUrl', 'maildevWebPort',
      'maildevUrl', 'idpPort', 'b2cMetadataUrl', 'b2cIssuer', 'b2cClientId', 'b2cClientSecret',
      'staffMetadataUrl', 'staffIssuer', 'staffAudience', 'staffRole', 'staffClientId',
      'staffClientSecret', 'salesCliClientId', 'noRoleCliClientId', 'cliClientSecret', 'staffTokenEndpoint',
    ]) {
      assert.ok(info[key] !== undefined && info[key] !== '', `missing ${key}`);
    }
    assert.equal(info.tableEndpoint, `http://127.0.0.1:${info.tablePort}/devstoreaccount1`);
    assert.ok(info.storageConnectionString.endsWith(`TableEndpoint=${info.tableEndpoint};`));
  });

  test('Azurite Table answers', async () => {
    const res = await fetch(`${info.tableEndpoint}/Tables`);
    assert.ok(res.status >= 200 && res.status < 500);
  });

  test('a mail sent over SMTP shows up in maildev, and can be deleted', async () => {
    await fetch(`${info.maildevUrl}/email/all`, { method: 'DELETE' });
    await new Promise((resolve, reject) => {
      const socket = net.connect(info.smtpPort, '127.0.0.1');
      const script = [
        'EHLO test\r\n', 'MAIL FROM:<invitations@localhost>\r\n', 'RCPT TO:<willy.urs@example.com>\r\n', 'DATA\r\n',
        'Subject: smoke test\r\nFrom: invitations@localhost\r\nTo: willy.urs@example.com\r\n\r\nhello\r\n.\r\n', 'QUIT\r\n',
      ];
      let buf = '';
      socket.on('data', (d) => {
        buf += d;
        // one command per complete server reply
        while (/^\d{3} .*\r\n/m.test(buf)) {
          buf = buf.replace(/^(\d{3}-.*\r\n)*\d{3} .*\r\n/, '');
          const next = script.shift();
          if (next) socket.write(next);
        }
      });
      socket.on('end', resolve);
      socket.on('error', reject);
    });
    let emails = [];
    for (let i = 0; i < 50 && emails.length === 0; i += 1) {
      emails = await (await fetch(`${info.maildevUrl}/email`)).json();
      if (!emails.length) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(emails.length, 1);
    assert.equal(emails[0].subject, 'smoke test');
    assert.equal(emails[0].to[0].address, 'willy.urs@example.com');
    await fetch(`${info.maildevUrl}/email/all`, { method: 'DELETE' });
    assert.deepEqual(await (await fetch(`${info.maildevUrl}/email`)).json(), []);
  });
});

describe('B2C stand-in', () => {
  const redirectUri = 'http://127.0.0.1:12345/api/AcceptInvite';

  test('metadata, issuer and keys', async () => {
    const meta = await metadata(info.b2cMetadataUrl);
    assert.equal(meta.issuer, `http://127.0.0.1:${info.idpPort}/6f1d3b2a-0000-4000-8000-00000000b2c0/v2.0/`);
    assert.equal(meta.issuer, info.b2cIssuer);
    const base = info.b2cMetadataUrl.replace('/.well-known/openid-configuration', '');
    for (const k of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint']) {
      assert.ok(meta[k].startsWith(`${base}/`), k);
    }
    const { keys } = await (await fetch(meta.jwks_uri)).json();
    assert.ok(keys.length >= 1);
    for (const key of keys) {
      assert.equal(key.kty, 'RSA');
      assert.ok(key.kid);
      assert.equal(key.d, undefined, 'no private parts');
    }
  });

  for (const idp of ['local', 'google.com', 'live.com']) {
    test(`code flow with idp ${idp} gives a B2C-shaped id_token`, async () => {
      const { meta, res, verifier } = await signIn({
        metadataUrl: info.b2cMetadataUrl,
        clientId: info.b2cClientId,
        redirectUri,
        form: { email: 'Willy.Urs@Example.com', password: 'x', idp },
        extra: { login_hint: 'willy.urs@example.com' },
      });
      assert.equal(res.status, 303);
      const back = new URL(res.headers.get('location'));
      assert.equal(`${back.origin}${back.pathname}`, redirectUri);
      assert.equal(back.searchParams.get('state'), 'state-123');
      const code = back.searchParams.get('code');
      assert.ok(code);
      const tokenRes = await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
          client_id: info.b2cClientId, client_secret: info.b2cClientSecret,
        }),
      });
      const tokens = await tokenRes.json();
      assert.equal(tokenRes.status, 200, JSON.stringify(tokens));
      const { header, payload } = decodeJwt(tokens.id_token);
      assert.equal(header.alg, 'RS256');
      assert.ok(header.kid);
      assert.equal(payload.iss, info.b2cIssuer);
      assert.equal(payload.aud, info.b2cClientId);
      assert.deepEqual(payload.emails, ['Willy.Urs@Example.com']);
      assert.equal(payload.email, undefined);
      assert.equal(payload.tfp, 'B2C_1_signupsignin');
      assert.equal(payload.ver, '1.0');
      assert.equal(payload.nonce, 'nonce-456');
      for (const k of ['sub', 'exp', 'iat', 'nbf', 'auth_time', 'name']) assert.ok(payload[k], k);
      assert.match(payload.sub, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      if (idp === 'local') assert.equal(payload.idp, undefined);
      else assert.equal(payload.idp, idp);
    });
  }

  test('the same person gets the same sub; another provider another one', async () => {
    const subFor = async (idp, email) => {
      const { meta, res, verifier } = await signIn({
        metadataUrl: info.b2cMetadataUrl, clientId: info.b2cClientId, redirectUri,
        form: { email, password: 'x', idp },
      });
      const code = new URL(res.headers.get('location')).searchParams.get('code');
      const basic = Buffer.from(`${info.b2cClientId}:${info.b2cClientSecret}`).toString('base64');
      const tokens = await (await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
      })).json();
      return decodeJwt(tokens.id_token).payload.sub;
    };
    const a = await subFor('local', 'same@example.com');
    assert.equal(await subFor('local', 'SAME@example.com'), a);
    assert.notEqual(await subFor('google.com', 'same@example.com'), a);
  });

  test('the login page is pre-filled from login_hint and domain_hint', async () => {
    const { page } = await signIn({
      metadataUrl: info.b2cMetadataUrl, clientId: info.b2cClientId, redirectUri,
      action: 'cancel', extra: { login_hint: 'hint@example.com', domain_hint: 'google.com' },
    });
    assert.match(page, /name="email" value="hint@example.com"/);
    assert.match(page, /value="google.com" checked/);
    assert.match(page, /name="password"/);
    assert.match(page, /Forgot your password\?/);
  });

  for (const [action, text] of [
    ['cancel', 'AADB2C90091: The user has cancelled entering self-asserted information.'],
    ['forgot', 'AADB2C90118: The user has forgotten their password.'],
  ]) {
    test(`${action} sends the B2C error back`, async () => {
      const { res } = await signIn({
        metadataUrl: info.b2cMetadataUrl, clientId: info.b2cClientId, redirectUri, action,
      });
      assert.equal(res.status, 303);
      const back = new URL(res.headers.get('location'));
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(back.searchParams.get('error_description'), text);
      assert.equal(back.searchParams.get('state'), 'state-123');
    });
  }

  test('form_post answers with an auto-submitting form', async () => {
    const { res } = await signIn({
      metadataUrl: info.b2cMetadataUrl, clientId: info.b2cClientId,
      redirectUri: 'http://localhost:40000/api/AuthCallback',
      form: { email: 'a@example.com', password: 'x', idp: 'local' },
      extra: { response_mode: 'form_post' },
    });
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /action="http:\/\/localhost:40000\/api\/AuthCallback"/);
    assert.match(html, /name="code"/);
  });

  test('only the service\'s redirect URIs are accepted', async () => {
    const meta = await metadata(info.b2cMetadataUrl);
    for (const [uri, ok] of [
      ['http://127.0.0.1:5/api/AcceptInvite', true],
      ['http://localhost:65000/api/AuthCallback', true],
      ['http://127.0.0.1:5/api/StaffCallback', false],
      ['http://evil.example:5/api/AcceptInvite', false],
      ['https://127.0.0.1:5/api/AcceptInvite', false],
      ['http://127.0.0.1/api/AcceptInvite', false],
    ]) {
      const u = new URL(meta.authorization_endpoint);
      const { challenge } = pkce();
      for (const [k, v] of Object.entries({
        client_id: info.b2cClientId, response_type: 'code', scope: 'openid', redirect_uri: uri,
        state: 's', nonce: 'n', code_challenge: challenge, code_challenge_method: 'S256',
      })) u.searchParams.set(k, v);
      const res = await fetch(u, { redirect: 'manual' });
      assert.equal(res.status === 303, ok, `${uri}: ${res.status}`);
    }
  });
});

describe('staff stand-in', () => {
  test('metadata and issuer', async () => {
    const meta = await metadata(info.staffMetadataUrl);
    assert.equal(meta.issuer, `http://127.0.0.1:${info.idpPort}/staff/v2.0`);
    assert.equal(meta.token_endpoint, info.staffTokenEndpoint);
  });

  for (const [clientId, roles, name, email] of [
    ['local-sales-cli', ['Invitations.Send'], 'Sam Sales', 'sam.sales@gfms.example'],
    ['local-norole-cli', [], 'Nora Norole', 'nora.norole@gfms.example'],
  ]) {
    test(`client_credentials for ${clientId}`, async () => {
      const res = await fetch(info.staffTokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: info.cliClientSecret }),
      });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      const { header, payload } = decodeJwt(body.access_token);
      assert.equal(header.alg, 'RS256');
      assert.ok(header.kid);
      assert.equal(payload.aud, 'api://invitations-local');
      assert.equal(payload.iss, info.staffIssuer);
      assert.deepEqual(payload.roles, roles);
      assert.equal(payload.name, name);
      assert.equal(payload.email, email);
    });
  }

  test('scripts/staff-token prints a token', async () => {
    const out = await new Promise((resolve, reject) => {
      const child = spawn(path.join(here, '..', 'scripts', 'staff-token'), ['--no-role'], {
        env: { ...process.env, IDP_URL: `http://127.0.0.1:${info.idpPort}` },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let s = '';
      child.stdout.on('data', (d) => { s += d; });
      child.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`exit ${code}`))));
    });
    assert.equal(decodeJwt(out.trim()).payload.name, 'Nora Norole');
  });

  for (const role of [true, false]) {
    test(`staff web sign-in ${role ? 'with' : 'without'} the role`, async () => {
      const redirectUri = 'http://localhost:7071/api/StaffCallback';
      const { meta, res, verifier, page } = await signIn({
        metadataUrl: info.staffMetadataUrl,
        clientId: info.staffClientId,
        redirectUri,
        form: { email: 'tamer@gfms.example', password: 'x', ...(role ? { role: 'on' } : {}) },
      });
      assert.match(page, /name="role"[^>]* checked/);
      const code = new URL(res.headers.get('location')).searchParams.get('code');
      const tokens = await (await fetch(meta.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
          client_id: info.staffClientId, client_secret: info.staffClientSecret,
        }),
      })).json();
      const { payload } = decodeJwt(tokens.id_token);
      assert.equal(payload.iss, info.staffIssuer);
      assert.equal(payload.email, 'tamer@gfms.example');
      assert.equal(payload.preferred_username, 'tamer@gfms.example');
      assert.ok(payload.name);
      assert.deepEqual(payload.roles, role ? ['Invitations.Send'] : []);
    });
  }
});

describe('lifecycle', () => {
  test('closing stdin stops everything, children included', async () => {
    const child = spawn(process.execPath, [path.join(here, 'services.mjs')], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, AZURITE_TABLE_PORT: '', SMTP_PORT: '', MAILDEV_WEB_PORT: '', IDP_PORT: '', AZURITE_LOCATION: '' },
    });
    const line = await new Promise((resolve) => {
      let buf = '';
      child.stdout.on('data', (d) => {
        buf += d;
        if (buf.includes('\n')) resolve(JSON.parse(buf.split('\n')[0]));
      });
    });
    const exited = new Promise((r) => child.once('exit', (code) => r(code)));
    child.stdin.end();
    assert.equal(await exited, 0);
    // Nothing listens on its ports any more.
    for (const port of [line.tablePort, line.smtpPort, line.maildevWebPort, line.idpPort]) {
      const refused = await new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => { s.destroy(); resolve(false); });
        s.on('error', () => resolve(true));
      });
      assert.ok(refused, `port ${port} still open`);
    }
  });
});
