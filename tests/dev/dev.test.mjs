// scripts/dev as a developer runs it: it starts the whole local stack, ends by naming the
// address to open (the Functions host stand-in's, not the handler's private port), that
// address answers, and Ctrl-C (SIGINT to the terminal's whole process group) reads as a
// clean stop: exit status 0, "Stopped", no "exit code", nothing left running.
//
// Run:   node --test tests/dev/
// Needs: what scripts/dev needs (Rust, Node.js, the Node packages); it builds the handler
//        if it is not built. Its state goes to a temporary folder (INVITATIONS_DEV_DIR).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT_MS = 600_000; // a cold `cargo build` inside scripts/dev included
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

let group;
const alive = (pid) => {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
};
after(() => {
  if (group && alive(group)) process.kill(-group, 'SIGKILL');
});

/** Resolves once `want` returns something for the output so far (polling), else fails. */
async function until(output, want, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = want(plain(output()));
    if (found) return found;
    if (Date.now() > deadline) assert.fail(`${what} within ${ms / 1000} s; scripts/dev printed:\n${plain(output()).slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('scripts/dev names the address to open last, and Ctrl-C stops everything cleanly', { timeout: TIMEOUT_MS + 60_000 }, async () => {
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'invitations-dev-'));
  const child = spawn('bash', [path.join(root, 'scripts', 'dev')], {
    cwd: root,
    detached: true, // its own process group, as a terminal's foreground job
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INVITATIONS_DEV_DIR: state, NO_COLOR: '1' },
  });
  group = child.pid;
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

  // The last thing it prints at start is the address to open, and that address answers.
  const base = await until(() => out, (text) => text.match(/^\s*Open (http:\/\/localhost:\d+)\/api\/Staff\s*$/m)?.[1], TIMEOUT_MS, 'no "Open …/api/Staff" line');
  await new Promise((r) => setTimeout(r, 1_000)); // anything printed right after would show here
  const lines = plain(out).split('\n').map((l) => l.trim()).filter(Boolean);
  assert.equal(lines.at(-1), `Open ${base}/api/Staff`, 'the address to open is the last line printed at start');
  const privatePort = plain(out).match(/listening on 127\.0\.0\.1 port=(\d+)/)?.[1];
  assert.ok(privatePort, 'the handler says which port it listens on');
  assert.notEqual(privatePort, new URL(base).port, 'the address to open is not the handler\'s private port');
  const res = await fetch(`${base}/api/openapi.json`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(res.status, 200, `${base}/api/openapi.json answers through the host stand-in`);
  await res.arrayBuffer();

  // Ctrl-C: the terminal sends SIGINT to the whole foreground process group.
  const before = plain(out).length;
  process.kill(-group, 'SIGINT');
  const { code, signal } = await Promise.race([exited, new Promise((r) => setTimeout(() => r({ code: 'still running' }), 30_000).unref())]);
  const stopping = plain(out).slice(before);
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, `Ctrl-C ends scripts/dev with status 0; it printed:\n${stopping}`);
  assert.doesNotMatch(stopping, /exit code|exited on its own|unexpected|error/i, `a clean stop reads as one:\n${stopping}`);
  assert.match(stopping, /Stopped: the handler, Azurite, maildev and the identity providers have ended/);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(alive(group), false, 'nothing scripts/dev started is left running');
  fs.rmSync(state, { recursive: true, force: true });
});
