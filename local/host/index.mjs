// A stand-in for the Azure Functions host's HTTP front, for a custom handler with
// "enableForwardingHttpRequest": it reads host.json and every FunctionName/function.json,
// starts the handler (or forwards to one already running), and forwards each request the
// way the host does. Written from the host's public source (Azure/azure-functions-host,
// release 4.1037.0):
//
// - Routes: one per HTTP-triggered function, `{routePrefix}/{route}` (the function's
//   name when it has no route), its methods a constraint
//   (src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs). ASP.NET Core's
//   template matching compares literal segments without regard to case, and a request
//   whose method a matching route does not list matches no route: 404, not 405.
// - Forwarding (src/WebJobs.Script/Workers/Http/DefaultHttpWorkerService.cs,
//   ProcessHttpInAndOutInvocationRequest, GetPathValue, AddHeaders): the path as the
//   client wrote it, every request header, plus X-Azure-Functions-HostVersion,
//   X-Azure-Functions-InvocationId and "Azure-Functions-Host/{version}" in User-Agent;
//   redirects are passed back, not followed.
// - The query string is rebuilt from the parsed query
//   (src/WebJobs.Script/Extensions/HttpRequestExtensions.cs, ToHttpRequestMessage and
//   GetQueryCollectionAsDictionary): keys compared without regard to case, a repeated key
//   becomes one value joined with commas, every key and value encoded again.
// - The body is forwarded only when Content-Length is set and above 0 (same method): a
//   chunked upload reaches the handler without its body.
// - The handler gets FUNCTIONS_CUSTOMHANDLER_PORT (and FUNCTIONS_CUSTOMHANDLER_WORKER_ID,
//   FUNCTIONS_APP_ROOT_PATH) and is ready once anything answers at its root
//   (src/WebJobs.Script/Workers/Http/HttpWorkerProcess.cs, HttpWorkerConstants.cs,
//   DefaultHttpWorkerService.IsWorkerReady).
// - GET / is the host's home page, 200 text/html, when no function claims "/"
//   (src/WebJobs.Script.WebHost/Middleware/HomepageMiddleware.cs); here only once the
//   handler is ready (503 before), so it doubles as the readiness probe.
//
// Not reproduced: function keys (every route here is anonymous), the admin API, timers
// and other non-HTTP triggers (the handler runs its own delivery retries), proxies,
// Azure's front end (TLS, X-Forwarded-For, X-ARR-SSL).
//
// Usage (see also scripts/dev):
//   node local/host/index.mjs --script-root DIR [--functions DIR] [--port 7071]
//        [--executable PATH] [--handler-port N]
// --script-root holds host.json (and, by default, the FunctionName/function.json
// folders); --executable overrides host.json's defaultExecutablePath; with
// --handler-port and no --executable nothing is started, requests go to that port.
// The handler inherits this process's environment. One JSON line on stdout when ready:
//   {"url":…,"port":…,"handlerPort":…,"functions":N}

import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** The host release this stand-in follows (the version header carries it). */
export const HOST_VERSION = '4.1037.0';
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

// ---------------------------------------------------------------- the function app

/** host.json and the HTTP functions' routes, as the host reads them. */
export function loadFunctionApp({ scriptRoot, functionsDir = scriptRoot }) {
  const host = JSON.parse(fs.readFileSync(path.join(scriptRoot, 'host.json'), 'utf8'));
  const prefix = String(host.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
  const routes = [];
  for (const entry of fs.readdirSync(functionsDir, { withFileTypes: true })) {
    const file = path.join(functionsDir, entry.name, 'function.json');
    if (!entry.isDirectory() || !fs.existsSync(file)) continue;
    const fn = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (fn.disabled === true) continue;
    const trigger = (fn.bindings ?? []).find((b) => String(b?.type).toLowerCase() === 'httptrigger');
    if (!trigger) continue;
    const route = String(trigger.route ?? entry.name).replace(/^\/+|\/+$/g, '');
    const template = [prefix, route].filter(Boolean).join('/');
    routes.push({
      name: entry.name,
      template,
      segments: parseTemplate(template),
      // No "methods": every method.
      methods: Array.isArray(trigger.methods) ? trigger.methods.map((m) => String(m).toUpperCase()) : null,
    });
  }
  routes.sort((a, b) => comparePrecedence(a.segments, b.segments));
  return { host, prefix, routes };
}

function parseTemplate(template) {
  return template.split('/').filter(Boolean).map((segment) => {
    const param = /^\{(\*{0,2})([A-Za-z_][A-Za-z0-9_]*)((?::[^}=?]+)*)(?:=[^}]*)?(\?)?\}$/.exec(segment);
    if (!param) return { literal: segment };
    return {
      param: param[2],
      catchAll: Boolean(param[1]),
      optional: Boolean(param[4]),
      constraints: param[3].split(':').filter(Boolean).map((c) => c.toLowerCase()),
    };
  });
}

// ASP.NET Core's order: literal, then a constrained parameter, a parameter, an optional
// one, a catch-all.
const rank = (s) => (s.literal !== undefined ? 1 : s.catchAll ? 5 : s.optional ? 4 : s.constraints.length ? 2 : 3);
function comparePrecedence(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ? rank(a[i]) : 0) - (b[i] ? rank(b[i]) : 0);
    if (d) return d;
  }
  return 0;
}

const CONSTRAINTS = {
  int: /^-?\d+$/, long: /^-?\d+$/, bool: /^(true|false)$/i, alpha: /^[a-z]+$/i,
  guid: /^\{?[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\}?$/i,
};

function segmentMatches(template, value) {
  if (template.literal !== undefined) return template.literal.toLowerCase() === value.toLowerCase();
  let decoded;
  try { decoded = decodeURIComponent(value); } catch { decoded = value; }
  return template.constraints.every((c) => !CONSTRAINTS[c] || CONSTRAINTS[c].test(decoded));
}

function templateMatches(segments, parts) {
  for (let i = 0; i < segments.length; i++) {
    const t = segments[i];
    if (t.catchAll) return true;
    if (i >= parts.length) return t.optional && i === segments.length - 1;
    if (!segmentMatches(t, parts[i])) return false;
  }
  return parts.length === segments.length;
}

/** The function a request reaches, or undefined (the host's 404). */
export function findFunction(app, method, pathname) {
  // A trailing slash is ignored, as ASP.NET Core's routing does.
  const trimmed = pathname.replace(/^\//, '').replace(/\/$/, '');
  const parts = trimmed === '' ? [] : trimmed.split('/');
  return app.routes.find((r) => templateMatches(r.segments, parts) && (!r.methods || r.methods.includes(method.toUpperCase())));
}

// ---------------------------------------------------------------- the query string

function decodeComponent(text) {
  try { return decodeURIComponent(text.replace(/\+/g, ' ')); } catch { return text; }
}

/** The query as the host rebuilds it: `?A=1&a=2&b` → `?A=1%2C2&b=`. */
export function rebuildQuery(rawQuery) {
  const values = new Map(); // lower-cased key -> { key, values }
  for (const pair of rawQuery.split('&')) {
    if (!pair) continue;
    const at = pair.indexOf('=');
    const key = decodeComponent(at < 0 ? pair : pair.slice(0, at));
    const value = at < 0 ? '' : decodeComponent(pair.slice(at + 1));
    if (!key && at < 0) continue;
    const entry = values.get(key.toLowerCase()) ?? { key, values: [] };
    entry.values.push(value);
    values.set(key.toLowerCase(), entry);
  }
  const parts = [...values.values()].map(({ key, values: v }) => `${encodeURIComponent(key)}=${encodeURIComponent(v.join(','))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

// ---------------------------------------------------------------- forwarding

function forward(handlerPort, fn, req, res) {
  const [pathname, ...rest] = (req.url || '/').split('?');
  const headers = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (!HOP_BY_HOP.has(name) && name !== 'content-length') headers[name] = value;
  }
  const length = Number(req.headers['content-length']);
  const withBody = req.headers['content-length'] !== undefined && length > 0;
  if (withBody) headers['content-length'] = String(length);
  else delete headers['content-type'];
  headers['x-azure-functions-hostversion'] = HOST_VERSION;
  headers['x-azure-functions-invocationid'] = randomUUID();
  headers['user-agent'] = [req.headers['user-agent'], `Azure-Functions-Host/${HOST_VERSION}`].filter(Boolean).join(' ');
  const upstream = http.request({
    host: '127.0.0.1',
    port: handlerPort,
    method: req.method,
    path: `${pathname}${rebuildQuery(rest.join('?'))}`,
    headers,
  }, (answer) => {
    const out = { ...answer.headers };
    for (const name of HOP_BY_HOP) delete out[name];
    res.writeHead(answer.statusCode, out);
    answer.pipe(res);
  });
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The function ${fn.name} failed: ${err.message}\n`);
    } else {
      res.destroy(err);
    }
  });
  if (withBody) req.pipe(upstream);
  else {
    req.resume();
    upstream.end();
  }
}

const HOMEPAGE = '<!DOCTYPE html><html><head><title>Your Functions 4.0 app is up and running</title></head>'
  + '<body><p>Your Functions 4.0 app is up and running (local stand-in for the Functions host).</p></body></html>\n';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function answersAtRoot(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', timeout: 1000, agent: false }, (res) => {
      res.resume();
      resolve(true);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * Starts the stand-in on host:port (0: a free port). `executable` (else host.json's
 * defaultExecutablePath under scriptRoot) is started with `env` unless only
 * `handlerPort` is given. Resolves once the handler answers.
 */
export async function startHost({
  scriptRoot, functionsDir = scriptRoot, host = '127.0.0.1', port = 0, executable, handlerPort, env = process.env,
  onOutput = (chunk) => process.stderr.write(chunk), readyTimeoutMs = 30_000,
} = {}) {
  const app = loadFunctionApp({ scriptRoot, functionsDir });
  const description = app.host.customHandler?.description ?? {};
  let child;
  const target = handlerPort ?? await freePort();
  if (executable || handlerPort === undefined) {
    const program = executable ?? path.resolve(scriptRoot, description.defaultExecutablePath ?? 'handler');
    child = spawn(program, description.arguments ?? [], {
      cwd: description.workingDirectory ? path.resolve(scriptRoot, description.workingDirectory) : scriptRoot,
      env: {
        ...env,
        FUNCTIONS_CUSTOMHANDLER_PORT: String(target),
        FUNCTIONS_CUSTOMHANDLER_WORKER_ID: randomUUID(),
        FUNCTIONS_APP_ROOT_PATH: path.resolve(scriptRoot),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', onOutput);
    child.stderr.on('data', onOutput);
  }
  let ready = false;
  const server = http.createServer((req, res) => {
    const pathname = (req.url || '/').split('?')[0];
    const fn = findFunction(app, req.method, pathname);
    if (fn && ready) return forward(target, fn, req, res);
    req.resume();
    if (!ready) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
      return res.end('The function host is starting.\n');
    }
    if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(req.method === 'HEAD' ? undefined : HOMEPAGE);
    }
    res.writeHead(404, { 'content-length': '0' });
    return res.end();
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const close = async () => {
    await new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    });
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      if (!(await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000).unref())]))) child.kill('SIGKILL');
    }
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await answersAtRoot(target))) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      await close();
      throw new Error(`the handler exited at start (code ${child.exitCode}, signal ${child.signalCode})`);
    }
    if (Date.now() > deadline) {
      await close();
      throw new Error(`the handler did not answer at its root within ${readyTimeoutMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  ready = true;
  const actual = server.address().port;
  return { url: `http://${host}:${actual}`, port: actual, handlerPort: target, app, child, close };
}

// ---------------------------------------------------------------- command line

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  console.log = console.error;
  const args = process.argv.slice(2);
  const option = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const scriptRoot = option('--script-root');
  if (!scriptRoot) {
    console.error('usage: node local/host/index.mjs --script-root DIR [--functions DIR] [--port N] [--executable PATH] [--handler-port N]');
    process.exit(2);
  }
  const running = await startHost({
    scriptRoot,
    functionsDir: option('--functions') ?? scriptRoot,
    port: Number(option('--port') ?? 0),
    executable: option('--executable'),
    handlerPort: option('--handler-port') ? Number(option('--handler-port')) : undefined,
  }).catch((err) => {
    console.error(`[host] ${err.message}`);
    process.exit(1);
  });
  process.stdout.write(`${JSON.stringify({ url: running.url, port: running.port, handlerPort: running.handlerPort, functions: running.app.routes.length })}\n`);
  let stopping = false;
  const stop = async () => {
    stopping = true;
    await running.close();
    process.exit(0);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, stop);
  // Ctrl-C in a terminal reaches the handler too (one process group), which then stops by
  // itself, often before this process hears of the signal: a stop, not a failure.
  running.child?.once('exit', (code, signal) => {
    if (stopping || code === 0 || signal === 'SIGINT' || signal === 'SIGTERM') {
      console.error('[host] the handler stopped');
      process.exit(0);
    }
    console.error(`[host] the handler exited on its own (code ${code}, signal ${signal})`);
    process.exit(1);
  });
}
