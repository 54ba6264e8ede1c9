// The package test: unpacks the function app package (target/functionapp.zip, or the one
// FUNCTIONAPP_ZIP names), starts it behind the Functions host stand-in (local/host/: it
// reads the package's host.json and function.json files, starts `handler` as the host
// does and forwards requests as the host does), and checks that what the host exposes
// and what the handler serves are the same routes:
//
// - every function.json in the package: an HTTP trigger is called through the host at
//   /api/{route} (route parameters filled with a dummy value) with each of its methods,
//   and again with the path in upper case (the host matches without regard to case and
//   forwards the path as written), a timer (or any other
//   non-HTTP trigger) as the host invokes it, POST /{FunctionName} with
//   {"Data":{},"Metadata":{}}; an answer from the handler's router itself (404 "There is
//   nothing at this address." or 405) means the host would expose a function the handler
//   does not serve;
// - the other way round: every route the handler declares (the `warp::path!` filters in
//   src/http/ and the method filters chained to them) must be declared by a function.json,
//   or the host would never forward requests to it. Each of those routes is also called
//   straight at the handler, so
//   a misreading of the source shows up as a failure instead of passing quietly.
//
// The handler gets dummy settings: identity providers and Table Storage at 127.0.0.1:9,
// where nothing answers, so calls that reach storage or a provider answer 503 (which is
// fine here: it is not the router's 404/405) and nothing outside the test is touched.
//
//   cargo xtask package --debug
//   FUNCTIONAPP_ZIP=target/functionapp-debug.zip node --test tests/package/

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

import { startHost } from '../../local/host/index.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ZIP = path.resolve(ROOT, process.env.FUNCTIONAPP_ZIP || 'target/functionapp.zip');
const HANDLER_SOURCES = path.join(ROOT, 'src/http');
/** The detail of the handler's own "no route" answer (src/http/mod.rs, `recover`). */
const ROUTER_NOT_FOUND = 'There is nothing at this address.';
const NOWHERE = 'http://127.0.0.1:9';
const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'];

let pkg; // { entries, functions, routePrefix }
let handler; // the host stand-in: { url, port, handlerPort, child, close() }
let handlerOutput = '';
let workDir;

// ---------------------------------------------------------------------------------------
// Reading the zip (stored or deflated entries: what `cargo xtask package` writes)

function readZip(buffer) {
  const END = 0x06054b50;
  const CENTRAL = 0x02014b50;
  const LOCAL = 0x04034b50;
  let end = -1;
  for (let at = buffer.length - 22; at >= Math.max(0, buffer.length - 22 - 0xffff); at--) {
    if (buffer.readUInt32LE(at) === END) {
      end = at;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file: no end-of-central-directory record');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = [];
  for (let n = 0; n < count; n++) {
    if (buffer.readUInt32LE(at) !== CENTRAL) throw new Error(`zip: bad central directory entry ${n}`);
    const madeBy = buffer.readUInt16LE(at + 4);
    const method = buffer.readUInt16LE(at + 10);
    const compressedSize = buffer.readUInt32LE(at + 20);
    const size = buffer.readUInt32LE(at + 24);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const external = buffer.readUInt32LE(at + 38);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.toString('utf8', at + 46, at + 46 + nameLength);
    at += 46 + nameLength + extraLength + commentLength;
    if (compressedSize === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
      throw new Error(`zip: ${name} uses zip64 sizes, which this reader does not handle`);
    }
    if (buffer.readUInt32LE(local) !== LOCAL) throw new Error(`zip: bad local header for ${name}`);
    const start = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const raw = buffer.subarray(start, start + compressedSize);
    let data;
    if (method === 0) data = Buffer.from(raw);
    else if (method === 8) data = zlib.inflateRawSync(raw);
    else throw new Error(`zip: ${name} uses compression method ${method}`);
    if (data.length !== size) throw new Error(`zip: ${name} unpacks to ${data.length} bytes, not ${size}`);
    // Unix permissions sit in the high half of the external attributes when the entry was
    // made on Unix (version made by, high byte 3).
    const mode = madeBy >> 8 === 3 ? (external >>> 16) & 0o7777 : null;
    entries.push({ name, data, mode, isDirectory: name.endsWith('/') });
  }
  return entries;
}

// ---------------------------------------------------------------------------------------
// What the host would expose: the function.json files

/** `{id}`, `{id:int}`, `{id?}`, `{*rest}` → a value the host's route would accept. */
function fillRoute(route) {
  return route.replace(/\{(\*{0,2})([A-Za-z_][A-Za-z0-9_]*)((?::[^}=?]+)*)(?:=[^}]*)?\??\}/g, (_, _star, _name, constraints) => {
    if (/:(int|long|min|max|range)\b/i.test(constraints)) return '1';
    if (/:guid\b/i.test(constraints)) return '00000000-0000-0000-0000-000000000000';
    if (/:bool\b/i.test(constraints)) return 'true';
    if (/:(decimal|double|float)\b/i.test(constraints)) return '1.5';
    return 'dummy';
  });
}

/** A route template as segments: literals, parameters, a catch-all. */
function templateSegments(route) {
  return route
    .split('/')
    .filter(Boolean)
    .map((segment) => {
      const param = /^\{(\*{0,2})([A-Za-z_][A-Za-z0-9_]*)[^}]*\}$/.exec(segment);
      if (!param) return { literal: segment };
      return param[1] ? { catchAll: true } : { param: param[2] };
    });
}

function describeFunctions(entries) {
  const functions = [];
  const problems = [];
  for (const entry of entries) {
    const match = /^([^/]+)\/function\.json$/.exec(entry.name);
    if (!match) continue;
    const name = match[1];
    let json;
    try {
      json = JSON.parse(entry.data.toString('utf8'));
    } catch (e) {
      problems.push(`${entry.name}: not JSON (${e.message})`);
      continue;
    }
    if (json.disabled === true) continue;
    const bindings = Array.isArray(json.bindings) ? json.bindings : [];
    const triggers = bindings.filter((b) => b && typeof b.type === 'string' && /trigger$/i.test(b.type));
    if (triggers.length !== 1) {
      problems.push(`${entry.name}: needs exactly one trigger binding, has ${triggers.length}`);
      continue;
    }
    const [trigger] = triggers;
    if (trigger.type.toLowerCase() !== 'httptrigger') {
      functions.push({ name, kind: 'invoke', trigger: trigger.type });
      continue;
    }
    // With enableForwardingHttpRequest the host forwards the request unchanged only to
    // functions whose bindings are an HTTP trigger and an HTTP output, nothing else.
    const others = bindings.filter((b) => b !== trigger);
    if (others.length !== 1 || others[0]?.type?.toLowerCase() !== 'http' || others[0]?.direction !== 'out') {
      problems.push(`${entry.name}: an HTTP function must have exactly an httpTrigger and an "http" out binding, or the host sends it the invoke payload instead of the request`);
    }
    if (!Array.isArray(trigger.methods) || trigger.methods.length === 0) {
      problems.push(`${entry.name}: declare "methods" explicitly; without them the host forwards every method`);
      continue;
    }
    const methods = trigger.methods.map((m) => String(m).toLowerCase());
    const unknown = methods.filter((m) => !HTTP_METHODS.includes(m));
    if (unknown.length) problems.push(`${entry.name}: unknown methods ${unknown.join(', ')}`);
    // The host uses the function's name when no route is given.
    const route = String(trigger.route ?? name).replace(/^\/+|\/+$/g, '');
    functions.push({ name, kind: 'http', route, methods, segments: templateSegments(route) });
  }
  return { functions, problems };
}

// ---------------------------------------------------------------------------------------
// What the handler serves: the warp::path! filters in src/http/

function rustFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return rustFiles(full);
    return entry.name.endsWith('.rs') ? [full] : [];
  });
}

function handlerRoutes() {
  const routes = [];
  for (const file of rustFiles(HANDLER_SOURCES)) {
    // Line comments out (a doc comment may mention a filter); nothing in a path! needs "//".
    const text = fs.readFileSync(file, 'utf8').replace(/\/\/[^\n]*/g, '');
    const macro = /warp::path!\s*\(([^)]*)\)/g;
    const starts = [...text.matchAll(macro)];
    starts.forEach((m, i) => {
      const from = m.index + m[0].length;
      // The filter chain up to where the handler is attached (or the statement ends).
      const ends = ['.then(', '.map(', '.and_then(', ';']
        .map((stop) => text.indexOf(stop, from))
        .filter((at) => at >= 0);
      if (i + 1 < starts.length) ends.push(starts[i + 1].index);
      const chain = text.slice(from, ends.length ? Math.min(...ends) : text.length);
      const methods = [...chain.matchAll(/warp::(get|post|put|patch|delete|head|options)\(\)/g)].map((x) => x[1]);
      const segments = m[1]
        .split('/')
        .map((s) => s.trim())
        .filter(Boolean)
        .map((s) => {
          const literal = /^"(.*)"$/.exec(s);
          if (literal) return { literal: literal[1] };
          return s === '..' ? { catchAll: true } : { param: s };
        });
      routes.push({
        file: path.relative(ROOT, file),
        segments,
        path: '/' + segments.map((s) => s.literal ?? (s.catchAll ? '..' : `{${s.param}}`)).join('/'),
        methods: methods.length ? [...new Set(methods)] : null, // null: any method
      });
    });
  }
  return routes;
}

/** Does the function's route template take the handler's path (segments after the prefix)? */
function templateCovers(template, served) {
  for (let i = 0; i < template.length; i++) {
    const t = template[i];
    if (t.catchAll) return true;
    const s = served[i];
    if (!s) return false;
    if (t.param) {
      if (s.catchAll) return false;
      continue;
    }
    if (s.literal !== t.literal) return false;
  }
  return template.length === served.length;
}

function servedUrl(route) {
  return '/' + route.segments.map((s) => s.literal ?? 'dummy').join('/');
}

// ---------------------------------------------------------------------------------------
// Running the packaged handler

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startHandler(dir) {
  // What the host gives a custom handler, plus the service's required settings with dummy
  // values. Nothing else is inherited, so a developer's own settings cannot change the result.
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    FUNCTIONS_WORKER_RUNTIME: 'custom',
    PUBLIC_BASE_URL: 'http://localhost:7071',
    INVITATIONS_STORAGE: [
      'DefaultEndpointsProtocol=http',
      'AccountName=devstoreaccount1',
      `AccountKey=${Buffer.alloc(64).toString('base64')}`,
      `TableEndpoint=${NOWHERE}/devstoreaccount1`,
    ].join(';'),
    TABLE_PREFIX: 'pkgtest',
    B2C_METADATA_URL: `${NOWHERE}/b2c/B2C_1_signupsignin/v2.0/.well-known/openid-configuration`,
    B2C_CLIENT_ID: 'package-test-client',
    B2C_CLIENT_SECRET: 'package-test-secret',
    STAFF_METADATA_URL: `${NOWHERE}/staff/v2.0/.well-known/openid-configuration`,
    STAFF_AUDIENCE: 'api://package-test',
    // The custom claims provider's route exists only with its audience set.
    CLAIMS_AUDIENCE: 'api://package-test-claims',
    MAIL_DROP_DIR: path.join(workDir, 'mail'),
    RUST_LOG: 'warn',
  };
  // The stand-in starts defaultExecutablePath from the app's own folder with
  // FUNCTIONS_CUSTOMHANDLER_PORT, and is ready once the handler answers.
  try {
    return await startHost({ scriptRoot: dir, env, onOutput: (d) => (handlerOutput += d) });
  } catch (e) {
    throw new Error(`the packaged handler did not start behind the host stand-in (${e.message}):\n${handlerOutput}`);
  }
}

/** A call through the host stand-in (`direct`: straight at the handler, as the host's own invocations). */
async function call(method, urlPath, body, { direct = false } = {}) {
  const init = { method: method.toUpperCase(), redirect: 'manual', signal: AbortSignal.timeout(20_000) };
  if (body !== undefined) {
    init.body = body;
    init.headers = { 'content-type': 'application/json' };
  }
  const base = direct ? `http://127.0.0.1:${handler.handlerPort}` : handler.url;
  const res = await fetch(`${base}${urlPath}`, init);
  const text = await res.text();
  let detail = null;
  try {
    detail = JSON.parse(text)?.detail ?? null;
  } catch {
    // a page or an empty body
  }
  return { status: res.status, detail, empty: text === '' };
}

/** The host's own 404 (no function route takes this path and method): an empty body. */
function hostNotFound(res) {
  return res.status === 404 && res.detail === null && res.empty;
}

/** The router's own answer: this path or this method is not served at all. */
function unrouted(res) {
  return res.status === 405 || (res.status === 404 && res.detail === ROUTER_NOT_FOUND);
}

function bodyFor(method) {
  return ['post', 'put', 'patch'].includes(method) ? '{}' : undefined;
}

// ---------------------------------------------------------------------------------------

before(async () => {
  assert.ok(
    fs.existsSync(ZIP),
    `${path.relative(ROOT, ZIP)} does not exist: build it first with \`cargo xtask package\` ` +
      '(or `cargo xtask package --debug` and FUNCTIONAPP_ZIP=target/functionapp-debug.zip)',
  );
  const entries = readZip(fs.readFileSync(ZIP));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'functionapp-test-'));
  const appDir = path.join(workDir, 'app');
  for (const entry of entries) {
    const normal = path.posix.normalize(entry.name);
    assert.ok(!normal.startsWith('../') && !path.posix.isAbsolute(normal), `zip entry escapes the app folder: ${entry.name}`);
    const dest = path.join(appDir, normal);
    if (entry.isDirectory) {
      fs.mkdirSync(dest, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, entry.data, { mode: entry.mode ?? 0o644 });
  }
  const host = JSON.parse(entries.find((e) => e.name === 'host.json')?.data.toString('utf8') ?? '{}');
  const routePrefix = String(host.extensions?.http?.routePrefix ?? 'api').replace(/^\/+|\/+$/g, '');
  pkg = { entries, host, routePrefix, appDir, ...describeFunctions(entries) };
  handler = await startHandler(appDir);
});

after(async () => {
  await handler?.close();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

test('the package holds handler, host.json and FunctionName/function.json, nothing else', () => {
  const names = pkg.entries.filter((e) => !e.isDirectory).map((e) => e.name);
  // A zip tool may add entries for the function folders themselves; those are not files.
  const folders = new Set(names.filter((n) => n.endsWith('/function.json')).map((n) => n.replace(/function\.json$/, '')));
  const strayFolders = pkg.entries.filter((e) => e.isDirectory && !folders.has(e.name)).map((e) => e.name);
  const stray = names
    .filter((n) => n !== 'handler' && n !== 'host.json' && !/^[^/]+\/function\.json$/.test(n))
    .concat(strayFolders);
  assert.deepEqual(stray, [], `files that do not belong in the package: ${stray.join(', ')}`);
  assert.ok(names.includes('handler'), 'no handler in the package');
  assert.ok(names.includes('host.json'), 'no host.json in the package');
  assert.ok(names.some((n) => n.endsWith('/function.json')), 'no function.json in the package');
  const handlerEntry = pkg.entries.find((e) => e.name === 'handler');
  assert.ok(handlerEntry.mode !== null && (handlerEntry.mode & 0o111) !== 0, 'handler is not marked executable in the zip');
});

test('host.json starts the packaged handler and forwards HTTP requests to it', () => {
  const custom = pkg.host.customHandler;
  assert.equal(custom?.description?.defaultExecutablePath, 'handler', 'customHandler.description.defaultExecutablePath');
  assert.equal(custom?.enableForwardingHttpRequest, true, 'customHandler.enableForwardingHttpRequest');
  assert.equal(pkg.routePrefix, 'api', 'the contract puts every route under /api');
});

test('every function.json is one the host forwards as the handler expects', () => {
  assert.deepEqual(pkg.problems, [], pkg.problems.join('\n'));
  const names = new Set();
  const clashes = [];
  for (const fn of pkg.functions) {
    if (names.has(fn.name.toLowerCase())) clashes.push(`two functions named ${fn.name}`);
    names.add(fn.name.toLowerCase());
  }
  // Two HTTP functions on the same route template and method: the host could pick either.
  const http = pkg.functions.filter((f) => f.kind === 'http');
  for (let i = 0; i < http.length; i++) {
    for (let j = i + 1; j < http.length; j++) {
      const a = http[i];
      const b = http[j];
      const same = a.route.toLowerCase().replace(/\{[^}]*\}/g, '{}') === b.route.toLowerCase().replace(/\{[^}]*\}/g, '{}');
      const shared = a.methods.filter((m) => b.methods.includes(m));
      if (same && shared.length) clashes.push(`${a.name} and ${b.name} both declare ${shared.join(', ')} ${a.route}`);
    }
  }
  assert.deepEqual(clashes, [], clashes.join('\n'));
});

test('the handler serves every route and method the package declares', async () => {
  const missing = [];
  let calls = 0;
  for (const fn of pkg.functions) {
    if (fn.kind === 'http') {
      const url = `/${pkg.routePrefix}/${fillRoute(fn.route)}`;
      for (const method of fn.methods) {
        for (const spelt of [url, url.toUpperCase()]) {
          const res = await call(method, spelt, bodyFor(method));
          calls++;
          if (unrouted(res) || hostNotFound(res)) missing.push(`${fn.name}: ${method.toUpperCase()} ${spelt} → ${res.status} from ${hostNotFound(res) ? 'the host' : "the handler's router"}`);
        }
      }
    } else {
      // How the host invokes a non-HTTP function of a custom handler.
      const url = `/${fn.name}`;
      const res = await call('post', url, JSON.stringify({ Data: {}, Metadata: {} }), { direct: true });
      calls++;
      if (unrouted(res)) missing.push(`${fn.name} (${fn.trigger}): POST ${url} → ${res.status} from the handler's router`);
    }
  }
  assert.ok(calls > 0, 'the package declares no function to call');
  assert.deepEqual(missing, [], `the host would expose these, but the handler does not serve them:\n${missing.join('\n')}`);
});

test('every route the handler serves is declared by a function.json', async () => {
  const routes = handlerRoutes();
  assert.ok(routes.length > 0, `no warp::path! filter found under ${path.relative(ROOT, HANDLER_SOURCES)}: this test's reading of the source needs updating`);
  const undeclared = [];
  const misread = [];
  for (const route of routes) {
    const [first, ...rest] = route.segments;
    let declaredMethods;
    if (first?.literal === pkg.routePrefix) {
      const covering = pkg.functions.filter((f) => f.kind === 'http' && templateCovers(f.segments, rest));
      declaredMethods = new Set(covering.flatMap((f) => f.methods));
      if (covering.length === 0) {
        undeclared.push(`${route.path} (${route.file}): no function.json has a route for it`);
        continue;
      }
    } else {
      // Outside the prefix only the host's invocations of non-HTTP functions arrive.
      const fn = route.segments.length === 1 && pkg.functions.find((f) => f.kind === 'invoke' && f.name === first?.literal);
      if (!fn) {
        undeclared.push(`${route.path} (${route.file}): outside /${pkg.routePrefix}/ and not the name of a non-HTTP function, so the host never calls it`);
        continue;
      }
      declaredMethods = new Set(['post']);
    }
    const methods = route.methods ?? [...declaredMethods];
    for (const method of methods) {
      if (!declaredMethods.has(method)) {
        undeclared.push(`${method.toUpperCase()} ${route.path} (${route.file}): served, but no function.json declares this method for it`);
      }
      // The route as read from the source must really be served; otherwise the reading is wrong.
      const res = await call(method, servedUrl(route), method === 'post' && first?.literal !== pkg.routePrefix ? JSON.stringify({ Data: {}, Metadata: {} }) : bodyFor(method), { direct: true });
      if (unrouted(res)) misread.push(`${method.toUpperCase()} ${servedUrl(route)} (read from ${route.file}) → ${res.status}`);
    }
  }
  assert.deepEqual(misread, [], `routes read from the source that the handler does not serve (the source reading is wrong):\n${misread.join('\n')}`);
  assert.deepEqual(undeclared, [], `the handler serves these, but the host would never forward them:\n${undeclared.join('\n')}`);
});

test('through the host, a method a function.json does not list is the host\'s 404 and never reaches the handler', async () => {
  const checked = [];
  for (const fn of pkg.functions.filter((f) => f.kind === 'http')) {
    const url = `/${pkg.routePrefix}/${fillRoute(fn.route)}`;
    for (const method of HTTP_METHODS.filter((m) => m !== 'head' && !fn.methods.includes(m))) {
      // Another function may take the same path with this method (invitations/{id} vs bulk).
      const other = pkg.functions.some((f) => f !== fn && f.kind === 'http' && f.methods.includes(method)
        && templateCovers(f.segments, templateSegments(fillRoute(fn.route))));
      if (other) continue;
      const res = await call(method, url, bodyFor(method));
      checked.push(`${method} ${url}`);
      assert.ok(hostNotFound(res), `${method.toUpperCase()} ${url}: ${res.status}, expected the host's empty 404`);
    }
  }
  assert.ok(checked.length > 0);
});
