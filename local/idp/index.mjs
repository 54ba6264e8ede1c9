// Local OpenID providers on one HTTP port:
//   - the Azure AD B2C user flow stand-in (customers), see b2c.mjs
//   - the Entra External ID stand-in (customers, the other shape), also b2c.mjs
//   - the staff directory stand-in (Entra ID for sales staff), see staff.mjs
//   - the local product (PRODUCT_URL) at /product/{externalid,b2c}, see product.mjs, and
//     at /events-service/token a token as Entra's events service sends the claims provider
// The login pages and how to drive them over plain HTTP: see interactions.mjs.
//
// Used in-process by ../services.mjs. Can also run alone for debugging:
//   IDP_PORT=7080 node local/idp/index.mjs     (prints its settings as JSON)

import http from 'node:http';
import { pathToFileURL } from 'node:url';

import {
  B2C_CLIENT_ID, B2C_CLIENT_SECRET, EXTERNAL_ID_CLIENT_ID, EXTERNAL_ID_CLIENT_SECRET, PRODUCT_CLIENT_ID,
  createB2cProvider,
} from './b2c.mjs';
import { productPages } from './product.mjs';
import {
  CLI_CLIENT_SECRET, NOROLE_CLI_CLIENT_ID, SALES_CLI_CLIENT_ID, STAFF_AUDIENCE, STAFF_ROLE,
  STAFF_WEB_CLIENT_ID, STAFF_WEB_CLIENT_SECRET, createStaffProvider,
} from './staff.mjs';

/**
 * Starts both providers on host:port (port 0: any free port).
 * Resolves to { port, origin, info, close() } once the port is listening;
 * `info` holds the settings the invitation service needs.
 */
export async function startIdp({ host = '127.0.0.1', port = 0 } = {}) {
  let entries = [];
  let product = null;
  let eventsToken = null;
  const server = http.createServer((req, res) => {
    const path = (req.url || '/').split('?')[0];
    if (path === '/events-service/token' && eventsToken) {
      eventsToken(req, res);
      return;
    }
    if (product && (path === '/product' || path.startsWith('/product/'))) {
      product(req, res).catch((err) => {
        res.statusCode = 500;
        res.end(String(err?.message || err));
      });
      return;
    }
    route(entries, req, res);
  });
  server.keepAliveTimeout = 5000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const origin = `http://${host}:${actualPort}`;

  // The issuers contain the port, so the providers are made only now.
  const b2c = createB2cProvider({ origin });
  const externalId = createB2cProvider({ origin, shape: 'externalid' });
  const staff = createStaffProvider({ origin });
  entries = [b2c, externalId, staff].map((p) => ({ ...p, callback: p.provider.callback() }));
  product = productPages({ origin, providers: { b2c, externalid: externalId } });
  // GET /events-service/token?shape=b2c|externalid&aud=…: the token Entra's events
  // service would send a custom claims provider (local only: for scripts/bench and curl).
  eventsToken = (req, res) => {
    const query = new URL(req.url, origin).searchParams;
    const shape = { b2c, externalid: externalId }[query.get('shape') || 'externalid'];
    if (!shape || !query.get('aud')) {
      res.statusCode = 400;
      res.end('shape (b2c or externalid) and aud are needed\n');
      return;
    }
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ access_token: shape.eventsServiceToken(query.get('aud')) }));
  };

  const info = {
    idpPort: actualPort,
    b2cMetadataUrl: b2c.metadataUrl,
    b2cIssuer: b2c.issuer,
    b2cClientId: B2C_CLIENT_ID,
    b2cClientSecret: B2C_CLIENT_SECRET,
    externalIdMetadataUrl: externalId.metadataUrl,
    externalIdIssuer: externalId.issuer,
    externalIdClientId: EXTERNAL_ID_CLIENT_ID,
    externalIdClientSecret: EXTERNAL_ID_CLIENT_SECRET,
    productClientId: PRODUCT_CLIENT_ID,
    productUrl: `${origin}/product/externalid`,
    b2cProductUrl: `${origin}/product/b2c`,
    eventsTokenUrl: `${origin}/events-service/token`,
    staffMetadataUrl: staff.metadataUrl,
    staffIssuer: staff.issuer,
    staffAudience: STAFF_AUDIENCE,
    staffRole: STAFF_ROLE,
    staffClientId: STAFF_WEB_CLIENT_ID,
    staffClientSecret: STAFF_WEB_CLIENT_SECRET,
    salesCliClientId: SALES_CLI_CLIENT_ID,
    noRoleCliClientId: NOROLE_CLI_CLIENT_ID,
    cliClientSecret: CLI_CLIENT_SECRET,
    staffTokenEndpoint: staff.tokenEndpoint,
  };
  entries.info = info;

  return {
    port: actualPort,
    origin,
    info,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections?.();
    }),
  };
}

function route(entries, req, res) {
  const path = (req.url || '/').split('?')[0];
  if (!entries.length) {
    res.statusCode = 503;
    res.end('starting');
    return;
  }
  for (const entry of entries) {
    if (path === entry.mount || path.startsWith(`${entry.mount}/`)) {
      if (path.startsWith(`${entry.mount}/interaction/`)) {
        entry.interactions(req, res);
        return;
      }
      // oidc-provider works out its mount path from originalUrl vs url.
      req.originalUrl = req.url;
      req.url = req.url.slice(entry.mount.length) || '/';
      if (!req.url.startsWith('/')) req.url = `/${req.url}`;
      entry.callback(req, res);
      return;
    }
  }
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    res.setHeader('Content-Type', 'application/json');
    res.end(`${JSON.stringify(entries.info, null, 2)}\n`);
    return;
  }
  res.statusCode = 404;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end('not found\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] || '').href) {
  const port = Number(process.env.IDP_PORT ?? 7080);
  const idp = await startIdp({ port });
  process.stdout.write(`${JSON.stringify(idp.info)}\n`);
  const stop = async () => {
    await idp.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
