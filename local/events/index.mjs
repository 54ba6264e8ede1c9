// Stand-ins for where the service sends its events, on one port:
//
//   POST /hooks/{name}            a webhook receiver: checks the Standard Webhooks
//                                 signature with the npm `standardwebhooks` package (an
//                                 independent implementation) under each secret it was
//                                 given, records the delivery, answers 204 (or what it
//                                 was told to answer, see below)
//   PUT  /hooks/{name}/setup      {"secrets": ["whsec_…"], "fail": n, "status": 503}:
//                                 the secrets to check with; the next n deliveries are
//                                 answered `status` (default 503) and recorded as refused
//   GET  /hooks/{name}/received   [{"headers", "body", "event", "verified": [per secret],
//                                   "answered"}], oldest first
//   POST /grid/{name}/api/events  an Event Grid topic: checks what Event Grid checks of a
//                                 CloudEvents publish (content type
//                                 application/cloudevents+json or, for a batch,
//                                 application/cloudevents-batch+json; specversion 1.0,
//                                 id, source and type on every event; the aeg-sas-key
//                                 header, or a bearer token); 400/401 otherwise
//   PUT  /grid/{name}/setup       {"key": "…"}
//   GET  /grid/{name}/received    [{"events": […], "auth": "key"|"bearer", "contentType"}]
//
// `print` (a function taking a line; scripts/dev's EVENTS_LOG file) is given each webhook
// delivery and its signature check.

import http from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Webhook } = require('standardwebhooks');

const MAX_BODY = 1 << 20;

export async function startEventStandIns({ host, port = 0, print = null }) {
  const hooks = new Map(); // name -> { secrets, fail, status, received }
  const grids = new Map(); // name -> { key, received }
  const hook = (name) => {
    if (!hooks.has(name)) hooks.set(name, { secrets: [], fail: 0, status: 503, received: [] });
    return hooks.get(name);
  };
  const grid = (name) => {
    if (!grids.has(name)) grids.set(name, { key: null, received: [] });
    return grids.get(name);
  };

  const server = http.createServer(async (req, res) => {
    const answer = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(value === undefined ? '' : JSON.stringify(value));
    };
    let body;
    try {
      body = await readBody(req);
    } catch {
      return answer(413, { error: 'too large' });
    }
    const url = new URL(req.url, 'http://x');
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (parts[0] === 'hooks' && parts.length === 2 && req.method === 'POST') {
        const h = hook(parts[1]);
        const text = body.toString('utf8');
        const verified = h.secrets.map((secret) => {
          try {
            new Webhook(secret).verify(text, req.headers);
            return true;
          } catch {
            return false;
          }
        });
        const refused = h.fail > 0;
        if (refused) h.fail -= 1;
        const status = refused ? h.status : 204;
        let event = null;
        try {
          event = JSON.parse(text);
        } catch {}
        h.received.push({ headers: req.headers, body: text, event, verified, answered: status });
        if (print) {
          const ok = verified.length === 0 ? 'no secret to check with' : verified.every(Boolean) ? 'signature verified' : 'SIGNATURE NOT VERIFIED';
          print(`${new Date().toISOString()} ${parts[1]}: ${event?.type} ${event?.subject} (webhook-id ${req.headers['webhook-id']}): ${ok}`);
          print(`  ${text}`);
        }
        return answer(status);
      }
      if (parts[0] === 'hooks' && parts[2] === 'setup' && req.method === 'PUT') {
        const h = hook(parts[1]);
        const setup = JSON.parse(body.toString('utf8') || '{}');
        if (Array.isArray(setup.secrets)) h.secrets = setup.secrets;
        h.fail = Number(setup.fail || 0);
        h.status = Number(setup.status || 503);
        return answer(204);
      }
      if (parts[0] === 'hooks' && parts[2] === 'received' && req.method === 'GET') {
        return answer(200, hook(parts[1]).received);
      }
      if (parts[0] === 'grid' && parts[2] === 'api' && parts[3] === 'events' && req.method === 'POST') {
        return publish(grid(parts[1]), req, body, answer);
      }
      if (parts[0] === 'grid' && parts[2] === 'setup' && req.method === 'PUT') {
        grid(parts[1]).key = JSON.parse(body.toString('utf8') || '{}').key ?? null;
        return answer(204);
      }
      if (parts[0] === 'grid' && parts[2] === 'received' && req.method === 'GET') {
        return answer(200, grid(parts[1]).received);
      }
      return answer(404, { error: 'no such route' });
    } catch (e) {
      return answer(400, { error: String(e) });
    }
  });

  await new Promise((resolve) => server.listen(port, host, resolve));
  const bound = server.address().port;
  return {
    info: { eventsUrl: `http://${host}:${bound}` },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** What Event Grid checks of a CloudEvents publish. */
function publish(g, req, body, answer) {
  const contentType = String(req.headers['content-type'] || '').split(';')[0].trim().toLowerCase();
  const batch = contentType === 'application/cloudevents-batch+json';
  if (contentType !== 'application/cloudevents+json' && !batch) {
    return answer(400, { error: { code: 'BadRequest', message: `unsupported content type ${contentType}` } });
  }
  let auth;
  if (g.key !== null && req.headers['aeg-sas-key'] === g.key) auth = 'key';
  else if (/^Bearer \S+$/.test(String(req.headers.authorization || ''))) auth = 'bearer';
  else return answer(401, { error: { code: 'Unauthorized', message: 'aeg-sas-key or a bearer token is required' } });
  let parsed;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return answer(400, { error: { code: 'BadRequest', message: 'not JSON' } });
  }
  const events = batch ? parsed : [parsed];
  if (!Array.isArray(events) || events.length === 0) {
    return answer(400, { error: { code: 'BadRequest', message: 'a batch must be a non-empty array' } });
  }
  for (const e of events) {
    const missing = ['id', 'source', 'type'].filter((a) => typeof e?.[a] !== 'string' || e[a] === '');
    if (e?.specversion !== '1.0' || missing.length > 0) {
      return answer(400, { error: { code: 'BadRequest', message: `not a CloudEvent 1.0 (${missing.join(', ') || 'specversion'})` } });
    }
  }
  g.received.push({ events, auth, contentType });
  return answer(200);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
