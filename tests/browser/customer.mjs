// What the customer-side browser tests share: a staff token, an invitation through the
// API, the email caught by maildev and its link.
// (Not a test file itself: node --test runs only *.test.mjs here.)

import assert from 'node:assert/strict';
import { sleep, tail } from './stack.mjs';

export async function staffToken(services) {
  const res = await fetch(services.staffTokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: services.salesCliClientId,
      client_secret: services.cliClientSecret,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await res.json();
  assert.equal(res.status, 200, `staff token endpoint answered ${res.status}: ${JSON.stringify(body)}`);
  assert.equal(typeof body.access_token, 'string');
  return body.access_token;
}

/** POST /api/InviteUser; a 503 (tables still being created) is retried for up to 10 s. */
export async function invite(base, token, body) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${base}/api/InviteUser`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (res.status === 503 && Date.now() < deadline) {
      await sleep(250);
      continue;
    }
    assert.equal(res.status, 201, `POST /api/InviteUser answered ${res.status}: ${text}`);
    return JSON.parse(text);
  }
}

/** The first email maildev received for `recipient`, polling for up to 10 s. */
export async function emailTo(maildevUrl, recipient, logs) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${maildevUrl}/email`, { signal: AbortSignal.timeout(5_000) });
    const mails = await res.json();
    const mine = mails.filter((m) => (m.to || []).some((a) => String(a.address).toLowerCase() === recipient.toLowerCase()));
    if (mine.length) return mine[0];
    if (Date.now() > deadline) {
      throw new Error(`no email to ${recipient} arrived in maildev within 10 s (${mails.length} other emails there); handler output:\n${logs ? tail(logs.handler) : '(not given)'}`);
    }
    await sleep(200);
  }
}

export function inviteLink(mail) {
  const m = String(mail.text || '').match(/https?:\/\/\S+?\/api\/InviteUser\?invitationId=[^\s<>"'()\]]+/);
  assert.ok(m, `the email's text part carries no /api/InviteUser?invitationId= link:\n${mail.text}`);
  return m[0];
}

