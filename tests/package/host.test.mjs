// The Functions host stand-in (local/host/) against a recording handler: what the host does
// to a request on its way to a custom handler (see the sources cited in local/host/index.mjs).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { HOST_VERSION, rebuildQuery, startHost } from '../../local/host/index.mjs';

let dir;
let recorder;
let host;
const seen = [];

function writeFunction(name, trigger) {
  fs.mkdirSync(path.join(dir, name), { recursive: true });
  fs.writeFileSync(path.join(dir, name, 'function.json'), JSON.stringify({
    bindings: [{ type: 'httpTrigger', direction: 'in', name: 'req', authLevel: 'anonymous', ...trigger },
      { type: 'http', direction: 'out', name: 'res' }],
  }));
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-standin-'));
  fs.writeFileSync(path.join(dir, 'host.json'), JSON.stringify({
    version: '2.0',
    extensions: { http: { routePrefix: 'api' } },
    customHandler: { description: { defaultExecutablePath: 'handler' }, enableForwardingHttpRequest: true },
  }));
  writeFunction('InviteUser', { route: 'InviteUser', methods: ['get', 'post'] });
  writeFunction('Invitation', { route: 'invitations/{id}', methods: ['get', 'delete'] });
  writeFunction('Bulk', { route: 'invitations/bulk', methods: ['post'] });
  writeFunction('Named', { methods: ['get'] });
  recorder = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== '/') seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(req.url.startsWith('/api/InviteUser?go') ? 302 : 200, { location: '/elsewhere', 'x-from': 'handler' });
      res.end('handled');
    });
  });
  await new Promise((r) => recorder.listen(0, '127.0.0.1', r));
  host = await startHost({ scriptRoot: dir, handlerPort: recorder.address().port });
});

after(async () => {
  await host?.close();
  await new Promise((r) => recorder.close(r));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function send(method, url, { headers = {}, body } = {}) {
  seen.length = 0;
  const res = await fetch(`${host.url}${url}`, { method, headers, body, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text(), forwarded: seen[0] };
}

test('GET / is the host home page once the handler answers', async () => {
  const res = await send('GET', '/');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/html/);
  assert.equal(res.forwarded, undefined, 'the handler is not asked');
});

test('routes match without regard to case and the path goes on as the client wrote it', async () => {
  const res = await send('POST', '/API/inviteuser', { headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 200);
  assert.equal(res.text, 'handled');
  assert.equal(res.forwarded.url, '/API/inviteuser');
  assert.equal((await send('GET', '/api/Invitations/AbC12')).forwarded.url, '/api/Invitations/AbC12');
  assert.equal((await send('GET', '/api/named')).forwarded.url, '/api/named', 'a function without route is reached by its name');
});

test('a method the function.json does not list, or an unknown path, is the host\'s 404', async () => {
  for (const [method, url] of [['DELETE', '/api/InviteUser'], ['PUT', '/api/invitations/1'], ['POST', '/api/invitations/1'], ['GET', '/api/nothing']]) {
    const res = await send(method, url);
    assert.equal(res.status, 404, `${method} ${url}`);
    assert.equal(res.forwarded, undefined, `${method} ${url} never reaches the handler`);
  }
  assert.equal((await send('POST', '/api/invitations/BULK', { body: 'x', headers: { 'content-length': '1' } })).forwarded.url, '/api/invitations/BULK',
    'a literal route wins over {id}');
  assert.equal((await send('GET', '/api/invitations/bulk')).forwarded.url, '/api/invitations/bulk',
    'a route whose methods do not fit is skipped, the next one ({id}) may take the request');
});

test('the query is rebuilt: a repeated key becomes one comma-joined value', async () => {
  const res = await send('GET', '/api/InviteUser?status=pending&Status=revoked&email=a%2Bb%40x.example&flag&q=a+b');
  assert.equal(res.forwarded.url, '/api/InviteUser?status=pending%2Crevoked&email=a%2Bb%40x.example&flag=&q=a%20b');
  assert.equal(rebuildQuery(''), '');
  assert.equal(rebuildQuery('a=1&&a=2'), '?a=1%2C2');
});

test('the host adds its invocation id and version; redirects come back unfollowed', async () => {
  const first = await send('GET', '/api/InviteUser?go=1', { headers: { 'user-agent': 'curl/8' } });
  assert.equal(first.status, 302);
  assert.equal(first.headers.get('location'), '/elsewhere');
  assert.equal(first.headers.get('x-from'), 'handler');
  const h = first.forwarded.headers;
  assert.equal(h['x-azure-functions-hostversion'], HOST_VERSION);
  assert.match(h['x-azure-functions-invocationid'], /^[0-9a-f-]{36}$/);
  assert.equal(h['user-agent'], `curl/8 Azure-Functions-Host/${HOST_VERSION}`);
  const second = await send('GET', '/api/InviteUser');
  assert.notEqual(second.forwarded.headers['x-azure-functions-invocationid'], h['x-azure-functions-invocationid']);
});

test('a body is forwarded only with a Content-Length', async () => {
  const sized = await send('POST', '/api/InviteUser', { headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
  assert.equal(sized.forwarded.body, '{"a":1}');
  assert.equal(sized.forwarded.headers['content-length'], '7');
  // A chunked upload (no Content-Length): the handler gets the request without its body.
  seen.length = 0;
  const status = await new Promise((resolve, reject) => {
    const req = http.request(`${host.url}/api/InviteUser`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.write('{"chunk":');
    req.end('1}');
  });
  assert.equal(status, 200);
  assert.equal(seen[0].body, '');
  assert.ok([undefined, '0'].includes(seen[0].headers['content-length']));
  assert.equal(seen[0].headers['transfer-encoding'], undefined);
});
