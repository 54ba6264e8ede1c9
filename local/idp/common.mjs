// Helpers shared by the two local OpenID providers (B2C stand-in and staff
// directory stand-in). Nothing here is meant for production: keys are made
// at start and live only in memory.

import {
  createHash, createPrivateKey, generateKeyPairSync, randomBytes,
} from 'node:crypto';

/** A fresh RS256 signing key as a private JWK with `kid`, `alg` and `use` set. */
export function makeSigningJwk(label) {
  // The key is taken as PEM and re-imported before the JWK export: exporting a
  // JWK straight from generateKeyPairSync's KeyObject can deadlock Node 20
  // when a garbage collection runs during the export (seen here: the process
  // hung at start, never answering).
  const { privateKey: pem } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const jwk = createPrivateKey(pem).export({ format: 'jwk' });
  // kid: short hash of the public modulus, prefixed so the two providers'
  // keys are easy to tell apart in a decoded token header.
  const kid = `${label}-${createHash('sha256').update(jwk.n).digest('base64url').slice(0, 16)}`;
  return { ...jwk, kid, alg: 'RS256', use: 'sig' };
}

export function randomSecret() {
  return randomBytes(32).toString('base64url');
}

/**
 * A stable, UUID-looking identifier derived from the given parts, so the same
 * person signing in again (same identity provider, same email) gets the same
 * `sub` across runs.
 */
export function stableId(...parts) {
  const h = createHash('sha256').update(parts.join('\n')).digest('hex');
  // Shape it like a version-5-style UUID (the variant/version nibbles set).
  const v = `5${h.slice(13, 16)}`;
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16) + h.slice(17, 20);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${v}-${variant}-${h.slice(20, 32)}`;
}

/** "willy.urs@example.com" -> "Willy Urs" */
export function nameFromEmail(email) {
  const local = String(email).split('@')[0] || String(email);
  return local
    .split(/[._\-+]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ') || String(email);
}

export function looksLikeEmail(value) {
  return typeof value === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

export function escapeHtml(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Replace the provider's redirect URI checks with per-client patterns, so a
 * client may use any loopback port (tests run the handler on random ports).
 * Clients without a pattern keep the library's own exact-match check.
 */
export function installRedirectPatterns(provider, { redirect = {}, postLogout = {} }) {
  const proto = provider.Client.prototype;
  const originalRedirect = proto.redirectUriAllowed;
  const originalPostLogout = proto.postLogoutRedirectUriAllowed;
  proto.redirectUriAllowed = function redirectUriAllowed(value) {
    const pattern = redirect[this.clientId];
    if (pattern) return typeof value === 'string' && pattern.test(value);
    return originalRedirect.call(this, value);
  };
  proto.postLogoutRedirectUriAllowed = function postLogoutRedirectUriAllowed(value) {
    const pattern = postLogout[this.clientId];
    if (pattern) return typeof value === 'string' && pattern.test(value);
    return originalPostLogout.call(this, value);
  };
}

/** Token lifetimes (seconds); set explicitly so the library stays quiet. */
export const ttl = {
  AccessToken: 60 * 60,
  AuthorizationCode: 5 * 60,
  ClientCredentials: 60 * 60,
  IdToken: 60 * 60,
  Interaction: 60 * 60,
  Session: 24 * 60 * 60,
  Grant: 24 * 60 * 60,
  RefreshToken: 24 * 60 * 60,
};

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f3f4f6; color: #111827; margin: 0; }
  main { max-width: 26rem; margin: 3rem auto; background: #fff; padding: 2rem; border-radius: .5rem; box-shadow: 0 1px 3px rgba(0,0,0,.15); }
  h1 { font-size: 1.4rem; margin-top: 0; }
  .banner { font-size: .8rem; color: #6b7280; margin-bottom: 1rem; }
  label { display: block; margin-top: 1rem; font-weight: 600; }
  input[type=email], input[type=password], input[type=text], select { width: 100%; box-sizing: border-box; padding: .5rem; margin-top: .25rem; font-size: 1rem; border: 1px solid #9ca3af; border-radius: .25rem; }
  fieldset { margin-top: 1rem; border: 1px solid #d1d5db; border-radius: .25rem; }
  fieldset label { display: inline; font-weight: normal; margin: 0 1rem 0 .25rem; }
  .check label { display: inline; font-weight: normal; }
  .actions { margin-top: 1.5rem; display: flex; gap: .5rem; flex-wrap: wrap; align-items: center; }
  button { font-size: 1rem; padding: .5rem 1rem; border-radius: .25rem; border: 1px solid #1d4ed8; cursor: pointer; }
  button.primary { background: #1d4ed8; color: #fff; }
  button.secondary { background: #fff; color: #1d4ed8; }
  button.link { background: none; border: none; color: #1d4ed8; text-decoration: underline; padding: 0; }
  .error { color: #b91c1c; background: #fef2f2; padding: .5rem; border-radius: .25rem; }
  pre { white-space: pre-wrap; word-break: break-word; }
  table { font-size: .85rem; border-collapse: collapse; } th { text-align: left; padding-right: .5rem; } td { word-break: break-all; }
`;

export function page(title, body, { banner } = {}) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${banner ? `<div class="banner">${escapeHtml(banner)}</div>` : ''}
${body}
</main>
</body>
</html>`;
}

/** renderError / logout pages for a provider configuration. */
export function pageHooks(banner) {
  return {
    renderError(ctx, out) {
      ctx.type = 'html';
      const rows = Object.entries(out)
        .map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: ${escapeHtml(v)}</p>`)
        .join('\n');
      ctx.body = page('Sign-in error', `<h1>Something went wrong</h1>\n${rows}`, { banner });
    },
    logoutSource(ctx, form) {
      // Like B2C: no confirmation question. The form submits itself; the
      // button is there for clients without JavaScript.
      ctx.type = 'html';
      ctx.body = page('Signing out', `<h1>Signing out…</h1>
${form}
<div class="actions"><button class="primary" type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></div>
<script>
  (function () {
    var f = document.getElementById('op.logoutForm');
    var i = document.createElement('input');
    i.type = 'hidden'; i.name = 'logout'; i.value = 'yes';
    f.appendChild(i); f.submit();
  })();
</script>`, { banner });
    },
    postLogoutSuccessSource(ctx) {
      ctx.type = 'html';
      ctx.body = page('Signed out', '<h1>You are signed out</h1><p>You can close this window.</p>', { banner });
    },
  };
}

/** Read an application/x-www-form-urlencoded (or JSON) request body. */
export async function readForm(req, limit = 64 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const type = String(req.headers['content-type'] || '');
  if (type.includes('application/json')) {
    try {
      return JSON.parse(text || '{}');
    } catch {
      throw Object.assign(new Error('malformed JSON body'), { status: 400 });
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

export function sendHtml(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

/**
 * `loadExistingGrant` for first-party clients: grants whatever the
 * authorization request asks for, so no consent screen is ever shown.
 */
export async function autoConsentGrant(ctx) {
  const { oidc } = ctx;
  const { Grant } = oidc.provider;
  const clientId = oidc.client.clientId;
  const accountId = oidc.session.accountId;
  const existingId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(clientId);
  let grant = existingId ? await Grant.find(existingId) : undefined;
  if (!grant || grant.accountId !== accountId) {
    grant = new Grant({ clientId, accountId });
  }
  const scopes = [...(oidc.requestParamOIDCScopes || [])];
  if (scopes.length) grant.addOIDCScope(scopes.join(' '));
  const claims = [...(oidc.requestParamClaims || [])];
  if (claims.length) grant.addOIDCClaims(claims);
  for (const [indicator, server] of Object.entries(oidc.resourceServers || {})) {
    const wanted = [...(oidc.requestParamScopes || [])].filter((s) => server.scopes.has(s));
    grant.addResourceScope(indicator, wanted.join(' '));
  }
  await grant.save();
  return grant;
}
